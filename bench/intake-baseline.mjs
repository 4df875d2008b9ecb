// The intake benchmark's baseline, plain JavaScript run by node itself: read each line,
// JSON.parse it, insert it into SQLite (WAL), all in one transaction. Prints {records, seconds}.
import fs from 'node:fs';
import readline from 'node:readline';
import SQLite from 'better-sqlite3';

const [file, dbFile] = process.argv.slice(2);
const t0 = performance.now();
const db = new SQLite(dbFile);
db.pragma('journal_mode = WAL');
db.exec('create table alerts (id integer primary key, ts text, doc text)');
const insert = db.prepare('insert into alerts (ts, doc) values (?, ?)');
let records = 0;
db.exec('begin');
for await (const line of readline.createInterface({ input: fs.createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
  if (!line) continue;
  insert.run(JSON.parse(line).timestamp, line);
  records++;
}
db.exec('commit');
db.close();
console.log(JSON.stringify({ records, seconds: (performance.now() - t0) / 1000 }));
