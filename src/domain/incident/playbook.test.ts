import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOKS, planTasks, validatePlaybook, validatePlaybooks } from './playbook.js';

describe('playbooks', () => {
  it('the defaults are valid and follow the field: level 1 has the full intrusion-analysis checklist and containment → recovery', () => {
    expect(validatePlaybooks(DEFAULT_PLAYBOOKS)).toEqual(DEFAULT_PLAYBOOKS);
    const l1 = DEFAULT_PLAYBOOKS['1'].tasks.map((t) => t.key);
    for (const k of ['analysis.processes', 'analysis.ports', 'analysis.services', 'analysis.registry', 'analysis.accounts', 'analysis.logs', 'analysis.first_host']) {
      expect(l1).toContain(k);
    }
    expect(l1).toEqual(expect.arrayContaining(['handling.isolate', 'handling.patch', 'handling.remove_malware', 'handling.reset_accounts']));
    // every level keeps the minimum: confirm, report, write the handling report
    for (const l of ['1', '2', '3', '4'] as const) {
      const keys = DEFAULT_PLAYBOOKS[l].tasks.map((t) => t.key);
      expect(keys).toEqual(expect.arrayContaining(['discovery.confirm', 'report.send', 'summary.report']));
    }
  });

  it('re-planning adds what is missing, updates open tasks, cancels open tasks no longer wanted, and keeps finished work', () => {
    const level1 = DEFAULT_PLAYBOOKS['1'];
    const level4 = DEFAULT_PLAYBOOKS['4'];
    const existing = level4.tasks.map((t, i) => ({ id: i + 1, playbookKey: t.key, status: i === 0 ? ('done' as const) : ('open' as const) }));
    existing.push({ id: 99, playbookKey: null as unknown as string, status: 'open' });
    const plan = planTasks(level1, existing);
    const keysAdded = plan.add.map((t) => t.key);
    expect(keysAdded).toContain('analysis.processes');
    expect(keysAdded).not.toContain('discovery.confirm'); // done already, kept
    expect(plan.cancel).toEqual(existing.filter((e) => e.playbookKey && !level1.tasks.some((t) => t.key === e.playbookKey) && e.status === 'open').map((e) => e.id));
    expect(plan.cancel).not.toContain(99); // manual tasks are never touched
    expect(plan.update.map((u) => u.id)).toEqual(expect.arrayContaining([existing.find((e) => e.playbookKey === 'summary.report')!.id]));
  });

  it('revives a task an earlier re-plan cancelled instead of adding a second one', () => {
    const l3 = DEFAULT_PLAYBOOKS['3'];
    const existing = l3.tasks.map((t, i) => ({ id: i + 1, playbookKey: t.key, status: t.key === 'analysis.success_check' ? ('cancelled' as const) : ('open' as const) }));
    const plan = planTasks(l3, existing);
    expect(plan.add).toEqual([]);
    expect(plan.update.filter((u) => u.revive).map((u) => u.task.key)).toEqual(['analysis.success_check']);
  });

  it('refuses a bad playbook naming the task and field', () => {
    expect(() => validatePlaybook(2, { name: 'x', tasks: [{ key: 'a', phase: 'nowhere', title: 't' }] })).toThrow('tasks/0/phase');
    expect(() => validatePlaybook(2, { name: 'x', tasks: [{ key: 'a', phase: 'analysis', title: 't' }, { key: 'a', phase: 'analysis', title: 'u' }] })).toThrow('tasks/1/key');
    expect(() => validatePlaybooks({ '1': DEFAULT_PLAYBOOKS['1'] })).toThrow('playbooks/2');
  });
});
