/**
 * A form as a Word document, laid out as the Chinese form is: a title, then one bordered
 * two-column table (label | content) in the form's order, signature rows left for the hand;
 * then the timeline and the affected hosts as appendix tables.
 */
import { AlignmentType, BorderStyle, Document, HeadingLevel, Packer, Paragraph, ShadingType, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { FORMS, FORM_TEXT, type FormReport, formTitle } from '../domain/report/forms.js';

export const FONT = { ascii: 'SimSun', eastAsia: '宋体', hAnsi: 'SimSun' };
const LINE = { style: BorderStyle.SINGLE, size: 6, color: '000000' };
const BORDERS = { top: LINE, bottom: LINE, left: LINE, right: LINE, insideHorizontal: LINE, insideVertical: LINE };

/** A cell's text: one paragraph per line, so the handling process keeps its steps. */
export function lines(text: string, bold = false): Paragraph[] {
  const parts = text === '' ? [''] : text.split(/\r?\n/);
  return parts.map((p) => new Paragraph({ children: [new TextRun({ text: p, bold, font: FONT, size: 21 })] }));
}

function cell(text: string, opts: { label?: boolean; width?: number; minHeight?: boolean } = {}): TableCell {
  return new TableCell({
    children: lines(text, opts.label),
    width: opts.width ? { size: opts.width, type: WidthType.PERCENTAGE } : undefined,
    shading: opts.label ? { type: ShadingType.CLEAR, color: 'auto', fill: 'F2F2F2' } : undefined,
    margins: { top: 80, bottom: 80, left: 100, right: 100 },
  });
}

export function grid(header: string[], rows: string[][]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: BORDERS,
    rows: [new TableRow({ tableHeader: true, children: header.map((h) => cell(h, { label: true })) }), ...rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) }))],
  });
}

export async function formDocx(r: FormReport): Promise<Buffer> {
  const spec = FORMS[r.form];
  const text = FORM_TEXT[r.locale];
  const zh = r.locale === 'zh-CN';
  const form = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: BORDERS,
    rows: spec.fields.map((f) => {
      const value = r.fields[f.key] ?? '';
      return new TableRow({
        // the long fields get room to write in, as on the paper form
        height: f.long ? { value: 1400, rule: 'atLeast' } : f.hand ? { value: 1000, rule: 'atLeast' } : undefined,
        children: [cell(zh ? f.zh : f.en, { label: true, width: 24 }), cell(f.hand && value === '' ? `\n\n${text.date}：` : value, { width: 76 })],
      });
    }),
  });
  const doc = new Document({
    creator: 'Bihuan',
    title: `${formTitle(r)} ${r.incidentId}`,
    styles: { default: { document: { run: { font: FONT, size: 21 } } } },
    sections: [
      {
        children: [
          new Paragraph({ alignment: AlignmentType.CENTER, heading: HeadingLevel.TITLE, children: [new TextRun({ text: formTitle(r), bold: true, font: FONT, size: 36 })] }),
          new Paragraph({ alignment: AlignmentType.RIGHT, children: [new TextRun({ text: `${text.incident}：${r.incidentId}`, font: FONT, size: 21 })] }),
          form,
          new Paragraph({ heading: HeadingLevel.HEADING_2, pageBreakBefore: true, children: [new TextRun({ text: text.appendixTimeline, bold: true, font: FONT, size: 28 })] }),
          grid(
            [text.time, text.source, text.event],
            r.timeline.map((t) => [t.time, t.source, t.text]),
          ),
          new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun({ text: text.appendixHosts, bold: true, font: FONT, size: 28 })] }),
          grid(
            [text.ip, text.hostname, text.orgUnit, text.businessSystem, text.note],
            r.hosts.map((h) => [h.ip, h.hostname, h.orgUnit, h.businessSystem, h.note]),
          ),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
