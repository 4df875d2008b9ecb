/** The product's own API, with the session cookie the log-in set. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code?: string; message?: string; details?: unknown },
  ) {
    super(body.message ?? `HTTP ${status}`);
  }
}

export async function api<T = any>(method: string, url: string, body?: unknown): Promise<T> {
  const r = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!r.ok) throw new ApiError(r.status, json ?? {});
  return json as T;
}

export const LEVEL_COLORS: Record<number, string> = { 1: '#cf1322', 2: '#fa541c', 3: '#faad14', 4: '#1677ff' };
export const PHASES = ['discovery', 'report', 'analysis', 'handling', 'summary', 'closed'] as const;
