// The intake benchmark's storage floor, plain JavaScript run by node itself: the rows the
// pipeline stored (read back from its database) inserted again into a fresh copy of the real
// alerts table — same columns, indexes, pragmas and transaction size as the product — with no
// reading, parsing or normalizing at all. No pipeline that keeps these rows can beat this rate.
// Prints {records, seconds}.
import SQLite from 'better-sqlite3';

const [pipelineDb, dbFile] = process.argv.slice(2);
const source = new SQLite(pipelineDb, { readonly: true });
const ddl = source.prepare("select sql from sqlite_master where tbl_name = 'alerts' and sql is not null").all().map((r) => r.sql);
const db = new SQLite(dbFile);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
for (const statement of ddl) db.exec(statement);
const columns = Object.keys(source.prepare('select * from alerts limit 1').get()).filter((c) => c !== 'id');
const insert = db.prepare(`insert into alerts (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) on conflict (dedup_key) do nothing`);
const read = source.prepare(`select ${columns.join(', ')} from alerts order by id`).raw(true);
const t0 = performance.now();
let records = 0;
for (const row of read.iterate()) {
  if (records % 2000 === 0) {
    if (records) db.exec('commit');
    db.exec('begin');
  }
  insert.run(row);
  records++;
}
db.exec('commit');
const seconds = (performance.now() - t0) / 1000;
db.close();
source.close();
console.log(JSON.stringify({ records, seconds }));
