import type { paths } from './api-schema';
/** The product's own API, with the session cookie the log-in set. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code?: string; message?: string; details?: unknown },
  ) {
    super(body.message ?? `HTTP ${status}`);
  }
}

/**
 * Typed by the server's own OpenAPI document (web/src/api-schema.ts, `npm run api-types`): a URL
 * is matched against the route templates (`/api/incidents/{id}` accepts `/api/incidents/${id}`,
 * with or without a query string), and the method decides the body it takes and the answer it
 * gives — a console that reads a field the server renamed does not compile.
 */
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `/api/incidents/{id}/tasks` → `/api/incidents/${string}/tasks` */
export type Template<P extends string> = P extends `${infer A}{${string}}${infer B}` ? `${A}${string}${Template<B>}` : P;
/** the routes (templates) a URL may be, with that method */
export type RouteOf<M extends Method, U extends string> = {
  [P in keyof paths & string]: paths[P] extends Record<Lowercase<M>, infer Op> ? ([Op] extends [never | undefined] ? never : U extends Template<P> | `${Template<P>}?${string}` ? P : never) : never;
}[keyof paths & string];
type Split<S extends string> = S extends `${infer A}/${infer B}` ? [A, ...Split<B>] : [S];
type LongerTuple<A extends unknown[], B extends unknown[]> = A extends [unknown, ...infer AR] ? (B extends [unknown, ...infer BR] ? LongerTuple<AR, BR> : true) : false;
type Longer<Q extends string, P extends string> = LongerTuple<Split<Q>, Split<P>>;
/** `/api/incidents/${id}/detection` fits `/api/incidents/{id}` too (a template's part may hold a slash): the route with the most parts is meant */
type MostSpecific<R extends string> = { [P in R]: true extends { [Q in R]: Longer<Q, P> }[R] ? never : P }[R];
type OperationOf<M extends Method, U extends string> = paths[MostSpecific<RouteOf<M, U>>][Lowercase<M> & keyof paths[MostSpecific<RouteOf<M, U>>]];
type Json<C> = C extends { content: { 'application/json': infer R } } ? R : undefined;
/** what a successful answer holds (200, 201 or 204) */
export type Answer<M extends Method, U extends string> =
  OperationOf<M, U> extends { responses: infer R } ? (R extends { 200: infer A } ? Json<A> : R extends { 201: infer A } ? Json<A> : undefined) : never;
/** what the route takes as a JSON body */
export type BodyOf<M extends Method, U extends string> = OperationOf<M, U> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export async function api<M extends Method, const U extends string>(method: M, url: U, ...body: [RouteOf<M, U>] extends [never] ? [noRoute: `no ${M} route matches ${U}`] : [body?: BodyOf<M, U>]): Promise<Answer<M, U>> {
  const r = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body[0] === undefined ? {} : { 'content-type': 'application/json' },
    body: body[0] === undefined ? undefined : JSON.stringify(body[0]),
  });
  const text = await r.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!r.ok) throw new ApiError(r.status, json ?? {});
  return json as Answer<M, U>;
}

export const LEVEL_COLORS: Record<number, string> = { 1: '#cf1322', 2: '#fa541c', 3: '#faad14', 4: '#1677ff' };
export const PHASES = ['discovery', 'report', 'analysis', 'handling', 'summary', 'closed'] as const;

/**
 * A file sent as its bytes with `contentType` (the server reads UTF-8 or GBK, XML or CSV; the
 * browser would read GBK as mojibake), or, with no type, as a multipart form's "file" field
 * (evidence); the JSON answer.
 */
export async function uploadFile(url: string, file: Blob, contentType?: string, filename = 'evidence.bin'): Promise<Record<string, any>> {
  let body: Blob | FormData = file;
  if (!contentType) {
    body = new FormData();
    body.append('file', file, file instanceof File ? file.name : filename);
  }
  const r = await fetch(url, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body, credentials: 'same-origin' });
  const answer = (await r.json()) as Record<string, any>;
  if (!r.ok) throw new ApiError(r.status, answer);
  return answer;
}
