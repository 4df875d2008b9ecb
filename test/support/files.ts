/** Files as tests send and read them: a multipart upload, and the text of a Word document. */
import { strFromU8, unzipSync } from 'fflate';

/** A multipart/form-data body with one file (field "file") and, when given, a note (field "note"). */
export function multipart(filename: string, content: Buffer, note?: string): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----bihuan-test-boundary';
  const parts: Buffer[] = [];
  if (note !== undefined) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n${note}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(content, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The text of a .docx as Word stores it (word/document.xml), tags stripped, a line per paragraph. */
export function docxText(bytes: Buffer): string {
  const files = unzipSync(new Uint8Array(bytes));
  const xml = strFromU8(files['word/document.xml']!);
  return xml.replace(/<w:p[ >][^]*?<\/w:p>/g, (p) => p.replace(/<[^>]+>/g, '') + '\n').replace(/<[^>]+>/g, '');
}
