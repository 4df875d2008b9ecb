/**
 * Cross-site request forgery (issue 11, F8), beyond the SameSite cookie: a state-changing
 * request that carries cookies (a browser's) must come from the console's own origin. The
 * browser says where a request comes from — `Sec-Fetch-Site` (same-origin only) and `Origin`
 * (this server's, or one named in `allowedOrigins`) — whatever its content type: JSON, a
 * text/plain or multipart form post from a foreign page is refused alike. A request without
 * cookies (an API token) is not a browser's ambient authority and is not checked; nor is a
 * cookie-bearing request with neither header (curl with a cookie jar: no browser sends a
 * cross-site POST without them).
 */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../domain/errors.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host (and port) an Origin names; the scheme is left aside, as a TLS proxy in front changes it. */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

export function registerCsrfCheck(app: FastifyInstance, allowedOrigins: readonly string[] = []): void {
  const allowed = new Set(allowedOrigins.map((o) => o.replace(/\/+$/, '').toLowerCase()));
  app.addHook('onRequest', async (req) => {
    // log-in too, cookie or not: a foreign page must not sign the browser in to an account of its choosing
    if (SAFE.has(req.method) || (!req.headers.cookie && !req.url.startsWith('/api/auth/login'))) return;
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origin !== 'null') {
      const o = origin.toLowerCase();
      const own = `${req.protocol}://${req.host}`;
      const ownHost = hostOf(own);
      if ((ownHost !== undefined && hostOf(o) === ownHost) || allowed.has(o)) return;
      throw new DomainError('forbidden', `cross-site request refused: Origin ${origin.slice(0, 200)} is not this server (${own})`, { origin: origin.slice(0, 200) });
    }
    if (origin === 'null') throw new DomainError('forbidden', 'cross-site request refused: Origin null (a sandboxed or file page)');
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
      throw new DomainError('forbidden', `cross-site request refused: Sec-Fetch-Site ${site.slice(0, 50)}`, { secFetchSite: site.slice(0, 50) });
    }
  });
}
