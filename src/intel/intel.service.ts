/**
 * Threat intelligence: indicator lists imported from feeds (plain, CSV, STIX 2.1, MISP), kept in
 * the database and, for matching, in an in-memory index loaded once per process.
 */
import { type Kysely, sql } from 'kysely';
import { writeAudit } from '../audit/audit.repository.js';
import type { Actor } from '../domain/account/roles.js';
import { IndicatorIndex, type IntelFormat, detectIntelFormat, parseIntel } from '../domain/alert/indicator.js';
import { validationError } from '../domain/errors.js';
import { optionalText, requiredText } from '../domain/text.js';
import type { DB } from '../store/schema.js';
import { bumpCacheGeneration } from '../store/cache-generation.js';

export interface IntelImportResult {
  source: string;
  format: IntelFormat;
  indicators: number;
  skipped: Array<{ entry: number; reason: string }>;
  indexed: number;
}

export class IntelService {
  private index?: Promise<IndicatorIndex>;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
  ) {}

  /** The matching index; built from the database on first use. */
  matcher(): Promise<IndicatorIndex> {
    return (this.index ??= this.load());
  }

  /** Drops the index (another process changed the indicators): the next match reloads it. */
  forget(): void {
    this.index = undefined;
  }

  private async load(): Promise<IndicatorIndex> {
    const index = new IndicatorIndex();
    let last = 0;
    for (;;) {
      const rows = await this.db.selectFrom('indicators').select(['id', 'type', 'value', 'source', 'confidence']).where('id', '>', last).orderBy('id').limit(50_000).execute();
      if (rows.length === 0) break;
      for (const r of rows) index.add(r.type as 'ip', r.value, r.source, r.confidence);
      last = Number(rows[rows.length - 1]!.id);
    }
    return index;
  }

  async import(actor: Actor, text: string, opts: { source: string; format?: IntelFormat; confidence?: number }): Promise<IntelImportResult> {
    const source = requiredText('source', opts.source, 100);
    if (opts.confidence !== undefined && (!Number.isInteger(opts.confidence) || opts.confidence < 0 || opts.confidence > 100)) throw validationError('confidence', 'a whole number from 0 to 100');
    const format = opts.format ?? detectIntelFormat(text);
    const { indicators, skipped } = parseIntel(text, format);
    if (indicators.length === 0) throw validationError('file', `no indicator found in this ${format} file${skipped.length ? ` (${skipped.length} entries skipped, first: ${skipped[0]!.reason})` : ''}`);
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < indicators.length; i += 1000) {
        const rows = indicators.slice(i, i + 1000).map((x) => ({
          type: x.type,
          value: x.value,
          source,
          confidence: x.confidence ?? opts.confidence ?? null,
          description: optionalText('description', x.description, 500),
          created_at: at,
          updated_at: at,
        }));
        await trx
          .insertInto('indicators')
          .values(rows)
          .onConflict((oc) => oc.columns(['type', 'value', 'source']).doUpdateSet({ confidence: sql`excluded.confidence`, description: sql`excluded.description`, updated_at: at }))
          .execute();
      }
      await bumpCacheGeneration(trx);
      await writeAudit(trx, { actor, action: 'intel.import', entityType: 'intel', entityId: source, after: { format, indicators: indicators.length, skipped: skipped.length }, at });
    });
    const index = await this.matcher();
    for (const x of indicators) index.add(x.type, x.value, source, x.confidence ?? opts.confidence ?? null);
    return { source, format, indicators: indicators.length, skipped: skipped.slice(0, 1000), indexed: index.size };
  }

  async list(q: { value?: string; source?: string; limit: number }) {
    let query = this.db.selectFrom('indicators').selectAll().orderBy('id', 'desc').limit(q.limit);
    if (q.value) query = query.where('value', '=', q.value.toLowerCase());
    if (q.source) query = query.where('source', '=', q.source);
    const rows = await query.execute();
    return rows.map((r) => ({ id: Number(r.id), type: r.type, value: r.value, source: r.source, confidence: r.confidence, description: r.description, updatedAt: r.updated_at }));
  }

  async sources() {
    const rows = await this.db
      .selectFrom('indicators')
      .select(['source', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('updated_at').as('updated')])
      .groupBy('source')
      .orderBy('source')
      .execute();
    return rows.map((r) => ({ source: r.source, indicators: Number(r.n), updatedAt: r.updated }));
  }
}
