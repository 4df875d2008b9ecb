/**
 * HTML built from data. ECharts renders tooltips (and `formatter` results in HTML mode) with
 * innerHTML, so every value that reaches one goes through here: a host name from a device log
 * is text, never markup.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

/** A template whose interpolations are escaped: html`<b>${name}</b>` — the literal parts are the only markup. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += escapeHtml(values[i]) + strings[i + 1]!;
  return out;
}
