/**
 * A timeline entry in the console's language. The server writes each entry as a zh-CN
 * sentence with its facts beside it (`data`); in English the facts are worded again here.
 * Free text people wrote (notes, reasons) stays as written.
 */
import type { Lang } from './i18n';

type Json = Record<string, any>;

const PHASE_EN: Record<string, string> = { discovery: 'Discovery', report: 'Report', analysis: 'Analysis', handling: 'Handling', summary: 'Summary', closed: 'Closed' };
const CHANNEL_EN: Record<string, string> = { email: 'e-mail', phone: 'phone', im: 'instant message', paper: 'on paper', meeting: 'in a meeting', other: 'other' };
const BLOCK_KIND_EN: Record<string, string> = { ip: 'address', domain: 'domain', url: 'URL', hash: 'file hash' };
const TIER_EN: Record<string, string> = { hour: 'hour tier', day: 'day tier', week: 'week tier', month: 'month tier' };

export function timelineText(e: { kind: string; text: string; data: unknown }, lang: Lang, incidentTitle: string, typeName: (type: string) => string = (x) => x, when: (iso: string) => string = (x) => x): string {
  if (lang === 'zh') return e.text;
  const d = (e.data ?? {}) as Json;
  switch (e.kind) {
    case 'created':
      return `${d.exercise ? '[Exercise] ' : ''}Incident detected: ${incidentTitle} (${typeName(d.type)}, level ${d.level}, ${TIER_EN[d.tier] ?? d.tier})`;
    case 'alert':
      if (d.rule === 'manual') return `${d.count} alert(s) added by hand${d.note ? `. Note: ${d.note}` : ''}`;
      if (typeof d.ruleTitle === 'string') return `Alert ${d.ruleTitle}${d.where ? `: ${d.where}` : ''}${Number(d.count) > 1 ? ` (${d.count} alerts)` : ''}`;
      return `Alert ${e.text.replace(/^告警\s*/, '').replace(/：/g, ': ').replace(/（(\d+) 条告警）/, ' ($1 alerts)')}`;
    case 'level_changed':
      return `Level ${Number(d.toLevel) < Number(d.fromLevel) ? 'raised' : 'changed'}: ${d.fromLevel} → ${d.toLevel} (${typeName(d.toType)}, ${TIER_EN[d.tier] ?? d.tier}). Reason: ${d.reasonEn ?? d.reason}`;
    case 'phase_changed':
    case 'phase_override':
      return `${PHASE_EN[d.from] ?? d.from} → ${PHASE_EN[d.to] ?? d.to}${d.reason ? `. Reason: ${d.reason}` : ''}${d.override ? '. Admin override of the refusing gates' : ''}`;
    case 'report_sent':
      return `Incident report sent to ${d.recipients} (${CHANNEL_EN[d.channel] ?? d.channel})${d.note ? `. ${d.note}` : ''}`;
    case 'evidence_added':
      return `Evidence uploaded: ${d.filename} (${d.size} bytes, SHA-256 ${d.sha256})`;
    case 'report':
      return `Report exported (${d.form ?? 'closing'}, version ${d.version}, SHA-256 ${String(d.sha256).slice(0, 16)}…)`;
    case 'order':
      return `Order #${d.order} sent to ${d.orgUnit}: ${d.hosts} host(s)`;
    case 'order_done':
      return `Order #${d.order} done: all ${d.hosts} host(s) handled`;
    case 'warning':
      return `Organisation-wide warning: ${d.from} → ${d.level}`;
    case 'merged':
      return d.into ? `Merged into ${d.into} as a duplicate` : `Merged ${(d.from ?? []).join(', ')}`;
    case 'split':
      return `Split off into ${d.into} (${(d.signals ?? []).length} detection signal(s))`;
    case 'plan_started':
      return `Emergency plan started: ${d.title} (version ${d.version}); ${d.steps} response step(s) listed as tasks${(d.contacts ?? []).length ? `; told ${(d.contacts as string[]).join(', ')}` : ''}`;
    case 'block_added':
    case 'block_requested':
    case 'block_renewed':
    case 'block_lifted':
    case 'block_expired': {
      const what = `${BLOCK_KIND_EN[d.kind] ?? d.kind} ${d.value} (list ${d.list})`;
      if (e.kind === 'block_requested') return `Block asked for: ${what}, waiting for a second person's approval`;
      if (e.kind === 'block_renewed') return `Block renewed: ${what}, until ${when(d.expiresAt)}`;
      if (e.kind === 'block_expired') return `Block expired: ${what} left the block list`;
      if (e.kind === 'block_lifted') return `${d.status === 'rejected' ? 'Block refused' : 'Block lifted early'}: ${what}. Reason: ${d.reason}`;
      return `${d.action === 'approved' ? 'Block approved' : 'Blocked'}: ${what}, until ${when(d.expiresAt)}`;
    }
    case 'national_graded':
      return `National grading: ${d.roman} (GB/T 20986-2023), ${d.category} ${d.categoryEn}${d.dueAt ? `; to be reported to the regulator by ${when(d.dueAt)} (${d.hours} h after discovery)` : ''}${d.reason ? `. Reason: ${d.reason}` : ''}`;
    case 'regulatory_report':
      return `${({ initial: 'First report', followup: 'Follow-up report', summary: 'Summary report' } as Record<string, string>)[d.kind] ?? 'Report'} sent to ${d.to}${d.late ? ` (after the deadline ${when(d.dueAt)})` : ''}`;
    case 'plan_missing':
      return `No emergency plan covers this incident (type, level, org unit): the minimum for a team without a plan applies, ${d.steps} step(s) listed as tasks`;
    default:
      return e.text;
  }
}
