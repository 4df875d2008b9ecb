/** What detection filed in a PostgreSQL database, comparable across databases (the scale-out test and the load benchmark). */
import pg from 'pg';

/** What was filed, comparable across databases: each incident with its signals, sorted. */
export async function filed(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ type: string; level: number; org_unit: string | null; title: string; signals: string }>(
      `select i.type, i.level, i.org_unit, i.title,
              coalesce((select string_agg(s.rule_key || '×' || s.count || ' ' || coalesce(s.source_ip, '-') || '→' || coalesce(s.destination_ip, '-'), '; ' order by s.rule_key, s.source_ip, s.destination_ip) from detection_signals s where s.incident_id = i.id), '') as signals
         from incidents i`,
    );
    return rows.map((r) => `${r.type} L${r.level} ${r.org_unit ?? '-'} ${r.title} [${r.signals}]`).sort();
  } finally {
    await client.end();
  }
}

