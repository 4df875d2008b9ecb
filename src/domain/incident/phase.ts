/**
 * The six-phase loop and its machine: which moves are allowed, and the gates that must be
 * satisfied before an incident may leave a phase. Pure: it judges, the service acts.
 */
export const PHASES = ['discovery', 'report', 'analysis', 'handling', 'summary', 'closed'] as const;
export type Phase = (typeof PHASES)[number];
/** The working phases, each with a deadline (closed has none). */
export const WORKING_PHASES = ['discovery', 'report', 'analysis', 'handling', 'summary'] as const;
export type WorkingPhase = (typeof WORKING_PHASES)[number];

export const RESOLUTIONS = ['true_positive', 'false_positive', 'duplicate', 'drill'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const TASK_STATUSES = ['open', 'in_progress', 'done', 'skipped', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export function isPhase(s: unknown): s is Phase {
  return typeof s === 'string' && (PHASES as readonly string[]).includes(s);
}

export function phaseIndex(p: Phase): number {
  return PHASES.indexOf(p);
}

export function isTaskOpen(status: TaskStatus): boolean {
  return status === 'open' || status === 'in_progress';
}

export interface GateSubject {
  phase: Phase;
  affectedAssetCount: number;
  reportSentAt: string | null;
  resolution: Resolution | null;
  conclusion: string | null;
  tasks: ReadonlyArray<{ id: number; phase: Phase; title: string; mandatory: boolean; status: TaskStatus }>;
  /** leaving handling: the incident's block-list entries in force and how the alerts after them went */
  blocks?: BlockFacts;
}

/** "blocked 12 sources; 11 quiet for 30 min, 1 still seen by the IDS", with its counts */
export interface BlockFacts {
  blocked: number;
  quiet: number;
  seen: number;
  waiting: number;
  zh: string;
  en: string;
}

export type GateCode =
  | 'scope_missing'
  | 'mandatory_tasks_open'
  | 'report_not_sent'
  | 'resolution_missing'
  | 'conclusion_missing'
  | 'blocked_still_seen';

export interface GateRefusal {
  gate: GateCode;
  message: string;
  /** the gate's facts in both languages, where the console words it from them (blocked_still_seen) */
  summary?: { zh: string; en: string };
  /** tasks that hold the gate, where it is a task gate */
  tasks?: Array<{ id: number; phase: Phase; title: string }>;
}

export type MoveKind = 'forward' | 'back' | 'close_early' | 'reopen';

export type MoveJudgement =
  | { ok: false; invalid: string }
  | { ok: true; kind: MoveKind; refusals: GateRefusal[] };

/**
 * Allowed moves: forward one phase at a time; back to any earlier phase (a reason is
 * required); from discovery straight to closed when the incident is judged a false positive or
 * a duplicate; from closed back to any working phase (reopen, reason required).
 * Gates are listed, not thrown: an admin may override them, and the UI shows them all at once.
 */
export function judgeMove(subject: GateSubject, to: Phase): MoveJudgement {
  const from = subject.phase;
  const fi = phaseIndex(from);
  const ti = phaseIndex(to);
  if (from === to) return { ok: false, invalid: `the incident is already in phase ${to}` };
  if (from === 'closed') return { ok: true, kind: 'reopen', refusals: [] };
  if (ti < fi) return { ok: true, kind: 'back', refusals: [] };
  const closeEarly = from === 'discovery' && to === 'closed';
  if (!closeEarly && ti !== fi + 1) {
    const next = PHASES[fi + 1];
    return {
      ok: false,
      invalid: `an incident moves forward one phase at a time: from ${from} the next phase is ${next}, not ${to}`,
    };
  }
  const refusals: GateRefusal[] = [];
  const openMandatory = (pred: (t: GateSubject['tasks'][number]) => boolean): GateRefusal | null => {
    const open = subject.tasks.filter((t) => t.mandatory && isTaskOpen(t.status) && pred(t));
    if (open.length === 0) return null;
    return {
      gate: 'mandatory_tasks_open',
      message: `${open.length} mandatory task(s) still open: ${open.map((t) => `#${t.id} ${t.title}`).join('; ')}`,
      tasks: open.map((t) => ({ id: t.id, phase: t.phase, title: t.title })),
    };
  };

  if (closeEarly) {
    if (subject.resolution !== 'false_positive' && subject.resolution !== 'duplicate') {
      refusals.push({
        gate: 'resolution_missing',
        message: 'only an incident judged false_positive or duplicate may close straight from discovery; set its resolution first',
      });
    }
    if (!subject.conclusion?.trim()) refusals.push({ gate: 'conclusion_missing', message: 'a conclusion is required to close' });
    const tasksGate = openMandatory((t) => t.phase === 'discovery');
    if (tasksGate) refusals.push(tasksGate);
    return { ok: true, kind: 'close_early', refusals };
  }

  const leaving = openMandatory((t) => t.phase === from);
  switch (from) {
    case 'discovery':
      if (subject.affectedAssetCount === 0) {
        refusals.push({
          gate: 'scope_missing',
          message: 'the scope is not determined: record at least one affected asset (host, IP or business system) before reporting',
        });
      }
      break;
    case 'report':
      if (!subject.reportSentAt) {
        refusals.push({
          gate: 'report_not_sent',
          message: 'the incident report (事件上报表) has not been recorded as sent to the command group and handling team',
        });
      }
      break;
    case 'analysis':
      break;
    case 'handling':
      // containment that did not take: a blocked source still seen by the devices holds the incident in handling
      if (subject.blocks && subject.blocks.seen > 0) {
        refusals.push({ gate: 'blocked_still_seen', message: `containment is not verified: ${subject.blocks.en}`, summary: { zh: subject.blocks.zh, en: subject.blocks.en } });
      }
      break;
    case 'summary': {
      if (!subject.resolution) refusals.push({ gate: 'resolution_missing', message: 'a resolution (true_positive, false_positive, duplicate or drill) is required to close' });
      if (!subject.conclusion?.trim()) refusals.push({ gate: 'conclusion_missing', message: 'a conclusion is required to close' });
      const anyOpen = openMandatory(() => true);
      if (anyOpen) refusals.push(anyOpen);
      return { ok: true, kind: 'forward', refusals };
    }
  }
  if (leaving) refusals.push(leaving);
  return { ok: true, kind: 'forward', refusals };
}
