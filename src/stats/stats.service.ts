/**
 * The wall screen's figures: alerts per hour by category over a day, the top attacking sources
 * (external addresses), open incidents per branch, and MTTD / MTTA / MTTR over a period —
 * mean time from the first alert to the incident (detect), from the incident to its first
 * confirmed move out of discovery (acknowledge), from detection to closing (resolve).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { incidentTouches } from '../store/scope.js';

const HOUR = 3_600_000;

export class StatsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
  ) {}

  /** `branch`: a branch user's figures — the alerts to or from the branch, the incidents that touch it. */
  /** `exercises`: exercise (drill) incidents are left out of the figures unless included (or asked for alone) */
  async overview(q: { to?: string; periodDays?: number; branch?: string; exercises?: 'exclude' | 'include' | 'only' } = {}) {
    const exercises = q.exercises ?? 'exclude';
    const branch = q.branch;
    // a day of alerts up to `to` (or now); when that day is empty, the last day that had any
    let to = q.to ? new Date(q.to) : this.now();
    let from = new Date(to.getTime() - 24 * HOUR);
    let fallback = false;
    const any = await this.db.selectFrom('alerts').select('id').where('ts', '>=', from.toISOString()).where('ts', '<', to.toISOString()).limit(1).executeTakeFirst();
    if (!any && !q.to) {
      const newest = await this.db.selectFrom('alerts').select('ts').orderBy('ts', 'desc').limit(1).executeTakeFirst();
      if (newest) {
        to = new Date(Math.ceil(Date.parse(newest.ts) / HOUR) * HOUR);
        from = new Date(to.getTime() - 24 * HOUR);
        fallback = true;
      }
    }
    let inWindow = this.db.selectFrom('alerts').where('ts', '>=', from.toISOString()).where('ts', '<', to.toISOString()).where('kind', '=', 'alert');
    if (branch) inWindow = inWindow.where((eb) => eb.or([eb('source_org_unit', '=', branch), eb('destination_org_unit', '=', branch)]));
    const rows = await inWindow.select(['ts', 'category']).limit(200_000).execute();
    const hours = Array.from({ length: 24 }, (_, i) => new Date(from.getTime() + i * HOUR).toISOString());
    const series = new Map<string, number[]>();
    for (const r of rows) {
      const cat = r.category.split(',')[0] || 'other';
      const slot = Math.floor((Date.parse(r.ts) - from.getTime()) / HOUR);
      if (slot < 0 || slot > 23) continue;
      const list = series.get(cat) ?? new Array<number>(24).fill(0);
      list[slot]!++;
      series.set(cat, list);
    }
    const sources = await inWindow
      .select(['source_ip', (eb) => eb.fn.countAll<number>().as('n')])
      .where('source_ip', 'is not', null)
      .where('source_internal', '=', 0)
      .groupBy('source_ip')
      .orderBy('n', 'desc')
      .limit(10)
      .execute();

    const branches = await this.db
      .selectFrom('incidents')
      .select(['org_unit', (eb) => eb.fn.countAll<number>().as('n')])
      .where('phase', '!=', 'closed')
      .$if(!!branch, (qb) => qb.where((eb) => incidentTouches(eb, branch!)))
      .$if(exercises !== 'include', (qb) => qb.where('exercise', '=', exercises === 'only' ? 1 : 0))
      .groupBy('org_unit')
      .orderBy('org_unit')
      .execute();

    const periodDays = q.periodDays ?? 30;
    const since = new Date(this.now().getTime() - periodDays * 86_400_000).toISOString();
    const incidents = await this.db
      .selectFrom('incidents')
      .select(['id', 'detected_at', 'created_at', 'closed_at'])
      .where('created_at', '>=', since)
      .$if(!!branch, (qb) => qb.where((eb) => incidentTouches(eb, branch!)))
      .$if(exercises !== 'include', (qb) => qb.where('exercise', '=', exercises === 'only' ? 1 : 0))
      .limit(50_000)
      .execute();
    const ids = incidents.map((i) => i.id);
    const firstMoves = new Map<string, string>();
    const firstAlerts = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      for (const r of await this.db.selectFrom('phase_changes').select(['incident_id', (eb) => eb.fn.min('at').as('at')]).where('incident_id', 'in', part).where('from_phase', '=', 'discovery').groupBy('incident_id').execute()) {
        firstMoves.set(r.incident_id, String(r.at));
      }
      for (const r of await this.db.selectFrom('detection_signals').select(['incident_id', (eb) => eb.fn.min('first_seen').as('at')]).where('incident_id', 'in', part).groupBy('incident_id').execute()) {
        firstAlerts.set(r.incident_id, String(r.at));
      }
    }
    const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length / 60_000) : null);
    // detect: from the first alert (or the time the incident was detected) to the incident existing
    const mttd = mean(incidents.map((i) => Date.parse(i.created_at) - Date.parse(firstAlerts.get(i.id) ?? i.detected_at)).filter((d) => d >= 0));
    const mtta = mean(incidents.filter((i) => firstMoves.has(i.id)).map((i) => Date.parse(firstMoves.get(i.id)!) - Date.parse(i.created_at)).filter((d) => d >= 0));
    const mttr = mean(incidents.filter((i) => i.closed_at).map((i) => Date.parse(i.closed_at!) - Date.parse(i.detected_at)).filter((d) => d >= 0));
    return {
      window: { from: from.toISOString(), to: to.toISOString(), fallback },
      alertsPerHour: { hours, series: [...series].map(([category, counts]) => ({ category, counts })) },
      topSources: sources.map((s) => ({ ip: s.source_ip!, alerts: Number(s.n) })),
      openByBranch: branches.map((b) => ({ orgUnit: b.org_unit, open: Number(b.n) })),
      times: { periodDays, exercises, incidents: incidents.length, mttdMinutes: mttd, mttaMinutes: mtta, mttrMinutes: mttr },
    };
  }
}
