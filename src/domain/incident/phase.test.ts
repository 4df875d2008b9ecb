import { describe, expect, it } from 'vitest';
import { type GateSubject, judgeMove } from './phase.js';

const subject = (over: Partial<GateSubject> = {}): GateSubject => ({
  phase: 'discovery',
  affectedAssetCount: 1,
  reportSentAt: null,
  resolution: null,
  conclusion: null,
  tasks: [],
  ...over,
});

const gates = (j: ReturnType<typeof judgeMove>) => (j.ok ? j.refusals.map((r) => r.gate) : j.invalid);

describe('phase machine', () => {
  it('moves forward one phase at a time, never skipping', () => {
    expect(judgeMove(subject(), 'report')).toMatchObject({ ok: true, kind: 'forward', refusals: [] });
    const skip = judgeMove(subject(), 'analysis');
    expect(skip.ok).toBe(false);
    expect(gates(skip)).toContain('the next phase is report');
    expect(judgeMove(subject({ phase: 'report' }), 'report').ok).toBe(false);
  });

  it('refuses to leave discovery without a scope (no affected asset)', () => {
    expect(gates(judgeMove(subject({ affectedAssetCount: 0 }), 'report'))).toEqual(['scope_missing']);
  });

  it('refuses to leave report until the report is recorded as sent', () => {
    expect(gates(judgeMove(subject({ phase: 'report' }), 'analysis'))).toEqual(['report_not_sent']);
    expect(gates(judgeMove(subject({ phase: 'report', reportSentAt: '2026-11-25T02:00:00Z' }), 'analysis'))).toEqual([]);
  });

  it("refuses to leave a phase while that phase's mandatory tasks are open, ignoring optional and finished ones", () => {
    const tasks: GateSubject['tasks'] = [
      { id: 1, phase: 'analysis', title: 'processes', mandatory: true, status: 'open' },
      { id: 2, phase: 'analysis', title: 'optional', mandatory: false, status: 'open' },
      { id: 3, phase: 'analysis', title: 'done', mandatory: true, status: 'done' },
      { id: 4, phase: 'analysis', title: 'skipped', mandatory: true, status: 'skipped' },
      { id: 5, phase: 'handling', title: 'later', mandatory: true, status: 'open' },
    ];
    const j = judgeMove(subject({ phase: 'analysis', tasks }), 'handling');
    expect(j.ok && j.refusals).toEqual([{ gate: 'mandatory_tasks_open', message: expect.stringContaining('#1 processes'), tasks: [{ id: 1, phase: 'analysis', title: 'processes' }] }]);
  });

  it('refuses to close without resolution, conclusion, or with any open mandatory task', () => {
    const open = { id: 9, phase: 'analysis' as const, title: 'x', mandatory: true, status: 'in_progress' as const };
    expect(gates(judgeMove(subject({ phase: 'summary', tasks: [open] }), 'closed'))).toEqual(['resolution_missing', 'conclusion_missing', 'mandatory_tasks_open']);
    expect(gates(judgeMove(subject({ phase: 'summary', resolution: 'true_positive', conclusion: 'ok' }), 'closed'))).toEqual([]);
    expect(gates(judgeMove(subject({ phase: 'summary', resolution: 'true_positive', conclusion: '   ' }), 'closed'))).toEqual(['conclusion_missing']);
  });

  it('goes back to any earlier phase and reopens a closed incident', () => {
    expect(judgeMove(subject({ phase: 'handling' }), 'discovery')).toMatchObject({ ok: true, kind: 'back' });
    expect(judgeMove(subject({ phase: 'closed' }), 'analysis')).toMatchObject({ ok: true, kind: 'reopen' });
  });

  it('closes straight from discovery only as a false positive or duplicate', () => {
    expect(gates(judgeMove(subject(), 'closed'))).toEqual(['resolution_missing', 'conclusion_missing']);
    expect(gates(judgeMove(subject({ resolution: 'true_positive', conclusion: 'c' }), 'closed'))).toEqual(['resolution_missing']);
    expect(judgeMove(subject({ resolution: 'false_positive', conclusion: 'scanner of our own' }), 'closed')).toMatchObject({ ok: true, kind: 'close_early', refusals: [] });
  });
});
