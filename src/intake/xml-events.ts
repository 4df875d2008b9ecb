/**
 * Windows events exported as XML (Event Viewer "Save as XML", `wevtutil qe … /f:xml`): one
 * `<Event>` element per record, possibly spread over lines or several on one line, inside an
 * optional `<Events>` wrapper. This pass turns them into one record each and passes every other
 * record through unchanged.
 */
import type { IntakeRecord } from './intake.service.js';
import { looksLikeSyslog } from './syslog.js';

/** A line that is surely another record, not the inside of an <Event> (whose text may run over lines): an unclosed <Event> before it is broken. */
function anotherRecord(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith('{') || /^<Event[\s>]/.test(t) || t.startsWith('CEF:') || looksLikeSyslog(t);
}

const WRAPPER = /^\s*(<\?xml[^>]*\?>|<Events>|<\/Events>)\s*/;

export async function* xmlEventRecords(records: AsyncIterable<IntakeRecord> | Iterable<IntakeRecord>, maxBytes: number): AsyncGenerator<IntakeRecord> {
  let buf = '';
  let startLine = 0;
  for await (const r of records) {
    if (r.text === undefined) {
      yield r;
      continue;
    }
    let text = r.text;
    if (buf && anotherRecord(text)) {
      yield { line: startLine, problem: `an <Event> element without its </Event> (line ${r.line} begins another record)` };
      buf = '';
    }
    if (!buf) {
      // strip container markup at the start of a line; a line that is only markup carries no record
      let m: RegExpExecArray | null;
      while ((m = WRAPPER.exec(text))) text = text.slice(m[0].length);
      if (!text.trim()) continue;
      // an <Event> element (not <EventData>, <EventRecordID> … met on a stray line)
      if (!/^<Event[\s>]/.test(text.trimStart())) {
        yield r;
        continue;
      }
      startLine = r.line;
    }
    buf += (buf ? '\n' : '') + text;
    for (let end = buf.indexOf('</Event>'); end !== -1; end = buf.indexOf('</Event>')) {
      const event = buf.slice(0, end + '</Event>'.length).trim();
      yield { line: startLine, text: event };
      buf = buf.slice(end + '</Event>'.length).replace(WRAPPER, '');
      startLine = r.line;
    }
    if (!buf.trim()) buf = '';
    else if (!/^<Event[\s>]/.test(buf.trimStart())) {
      // what follows an </Event> on its line and is not another <Event> is no record at all
      yield { line: r.line, problem: `text after </Event> that is not an <Event> element: ${JSON.stringify(buf.trim().slice(0, 60))}` };
      buf = '';
    } else if (buf.length > maxBytes) {
      yield { line: startLine, problem: `an <Event> element of more than ${maxBytes} bytes without its </Event>` };
      buf = '';
    }
  }
  if (buf.trim()) yield { line: startLine, problem: 'the file ends inside an <Event> element (no </Event>)' };
}
