/** Says once, clearly, which halves of the suite run. */
export default function setup(): void {
  const pg = process.env.BIHUAN_TEST_PG_URL;
  if (pg) console.log(`[bihuan tests] dialects: sqlite, postgres (${pg.replace(/\/\/([^:@/]+):[^@]+@/, '//$1:***@')})`);
  else console.log('[bihuan tests] dialects: sqlite only — PostgreSQL tests SKIPPED because BIHUAN_TEST_PG_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)');
}
