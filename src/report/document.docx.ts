/**
 * A report document (domain/report/document.ts) as Word: the title centred, its lines, then each
 * section's heading, paragraphs and bordered table — the fonts and borders of the forms.
 */
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import type { ReportDocument } from '../domain/report/document.js';
import { FONT, grid, lines } from './form.docx.js';

export async function documentDocx(d: ReportDocument): Promise<Buffer> {
  const children: Array<Paragraph | ReturnType<typeof grid>> = [
    new Paragraph({ alignment: AlignmentType.CENTER, heading: HeadingLevel.TITLE, children: [new TextRun({ text: d.title, bold: true, font: FONT, size: 36 })] }),
    ...d.meta.map((m) => new Paragraph({ alignment: AlignmentType.RIGHT, children: [new TextRun({ text: m, font: FONT, size: 21 })] })),
  ];
  for (const s of d.sections) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, spacing: { before: 240 }, children: [new TextRun({ text: s.heading, bold: true, font: FONT, size: 28 })] }));
    for (const p of s.paragraphs ?? []) children.push(...lines(p));
    if (s.table) {
      if (!s.table.rows.length && s.empty) children.push(...lines(s.empty));
      else children.push(grid(s.table.header, s.table.rows));
    }
  }
  const doc = new Document({ creator: 'Bihuan', title: d.title, styles: { default: { document: { run: { font: FONT, size: 21 } } } }, sections: [{ children }] });
  return Packer.toBuffer(doc);
}
