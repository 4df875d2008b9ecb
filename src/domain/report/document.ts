/**
 * A report that is not a form (the quarterly report of periodic work, a campaign's summary): a
 * title, lines under it, then sections of paragraphs and tables. Written out as Markdown here and
 * as a Word document by report/document.docx.ts — one content, two formats. Pure.
 */
export interface ReportTable {
  header: string[];
  rows: string[][];
}

export interface ReportSection {
  heading: string;
  paragraphs?: string[];
  table?: ReportTable;
  /** said when the table has no rows */
  empty?: string;
}

export interface ReportDocument {
  title: string;
  /** lines under the title: who, what period, when made */
  meta: string[];
  sections: ReportSection[];
}

/** A table cell's text in Markdown: pipes and backslashes escaped, line breaks kept. */
export function markdownCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function documentMarkdown(d: ReportDocument): string {
  const out = [`# ${d.title}`, ''];
  for (const m of d.meta) out.push(`${m}  `);
  for (const s of d.sections) {
    out.push('', `## ${s.heading}`, '');
    for (const p of s.paragraphs ?? []) out.push(p, '');
    if (s.table) {
      if (!s.table.rows.length && s.empty) out.push(s.empty, '');
      else {
        out.push(`| ${s.table.header.map(markdownCell).join(' | ')} |`, `|${s.table.header.map(() => '---').join('|')}|`);
        for (const r of s.table.rows) out.push(`| ${r.map(markdownCell).join(' | ')} |`);
        out.push('');
      }
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
