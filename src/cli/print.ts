/** Plain-text views for the terminal. */
import type { GradingTable } from '../domain/grading/grading.js';
import type { IncidentSummary } from '../incident/incident.repository.js';
import type { IncidentService } from '../incident/incident.service.js';

type Print = (s?: string) => void;

function left(due: string | null, now: Date): string {
  if (!due) return '-';
  const ms = Date.parse(due) - now.getTime();
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const span = h >= 48 ? `${Math.floor(h / 24)}d` : `${h}h${String(m).padStart(2, '0')}m`;
  return ms < 0 ? `OVERDUE ${span}` : span;
}

export function printIncidentList(print: Print, page: { items: IncidentSummary[]; nextCursor: string | null }, now = new Date()): void {
  if (page.items.length === 0) {
    print('no incidents');
    return;
  }
  print(`${'ID'.padEnd(18)} ${'LVL'} ${'PHASE'.padEnd(10)} ${'DUE IN'.padEnd(14)} ${'TYPE'.padEnd(22)} TITLE`);
  for (const i of page.items) {
    print(`${i.id.padEnd(18)} ${String(i.level).padEnd(3)} ${i.phase.padEnd(10)} ${left(i.phaseDueAt, now).padEnd(14)} ${i.type.padEnd(22)} ${i.title}`);
  }
  if (page.nextCursor) print(`more: --cursor ${page.nextCursor}`);
}

export function printIncident(print: Print, d: Awaited<ReturnType<IncidentService['get']>>, now: Date): void {
  print(`${d.id}  ${d.title}`);
  print(`  level ${d.level} · ${d.typeName.zh} (${d.type}) · ${d.priorityTier} tier · grading v${d.gradingVersion}`);
  print(`  phase ${d.phase}${d.phaseDueAt ? ` · due ${d.phaseDueAt} (${left(d.phaseDueAt, now)})` : ''} · org ${d.orgUnit}${d.owner ? ` · owner ${d.owner}` : ''}`);
  print(`  detected ${d.detectedAt} · created ${d.createdAt} by ${d.createdBy}`);
  if (d.description) print(`  ${d.description}`);
  print(`  report: ${d.report.sentAt ? `sent ${d.report.sentAt} to ${d.report.sentTo}` : 'not sent'}`);
  if (d.closure.resolution || d.closure.conclusion) print(`  closure: ${d.closure.resolution ?? '-'} — ${d.closure.conclusion ?? ''}`);
  if (d.assets.length) {
    print('assets:');
    for (const a of d.assets) print(`  #${a.id} ${[a.ip, a.hostname, a.businessSystem].filter(Boolean).join(' / ')}${a.orgUnit ? ` [${a.orgUnit}]` : ''}`);
  }
  if (d.observables.length) {
    print('observables:');
    for (const o of d.observables) print(`  #${o.id} ${o.type} ${o.value} (${o.firstSeen} … ${o.lastSeen})`);
  }
  print('tasks:');
  const mark: Record<string, string> = { open: '[ ]', in_progress: '[~]', done: '[x]', skipped: '[-]', cancelled: '[/]' };
  for (const t of d.tasks) print(`  ${mark[t.status] ?? t.status} #${t.id} ${t.phase.padEnd(9)} ${t.mandatory ? '*' : ' '} ${t.title}`);
  print('timeline:');
  for (const e of d.timeline) print(`  ${e.occurredAt}  ${e.text}`);
}

export function printGrading(print: Print, t: GradingTable): void {
  print(`grading table version ${t.version} (${t.createdAt}, ${t.createdBy})${t.note ? ` — ${t.note}` : ''}`);
  for (const e of t.entries) print(`  ${e.type.padEnd(24)} level ${e.level}  ${e.nameZh} / ${e.nameEn}`);
}
