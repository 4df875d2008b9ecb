/**
 * A running product for a test: real database (per dialect), real services, the real Fastify
 * app driven with `inject`. The clock is the test's to move.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type Services, openServices } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/domain/account/roles.js';
import { buildServer } from '../../src/http/server.js';
import type { Dialect } from '../../src/store/database.js';
import { type TestDatabase, createTestDatabase } from './dialects.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export class Clock {
  constructor(public t = new Date('2026-11-25T02:00:00.000Z')) {}
  now = (): Date => new Date(this.t);
  advance(minutes: number): void {
    this.t = new Date(this.t.getTime() + minutes * 60_000);
  }
}

export interface Harness {
  services: Services;
  app: FastifyInstance;
  clock: Clock;
  db: TestDatabase;
  /** auth headers of a user of that role (created on first use, with an API token) */
  as(role: Role): Promise<Record<string, string>>;
  req(opts: InjectOptions & { as?: Role }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startHarness(dialect: Dialect, configOverrides: Record<string, string> = {}): Promise<Harness> {
  const db = await createTestDatabase(dialect);
  const clock = new Clock();
  const config = loadConfig({ BIHUAN_DATA_DIR: db.dataDir, BIHUAN_TIMEZONE: 'Asia/Shanghai', ...configOverrides }, { databaseUrl: db.url, logLevel: process.env.BIHUAN_TEST_LOG ? 'error' : 'silent' });
  const services = await openServices(config, { now: clock.now });
  await services.accounts.ensureFirstAdmin({ kind: 'system', label: 'test' }, ADMIN_PASSWORD);
  const app = await buildServer(services, { logger: !!process.env.BIHUAN_TEST_LOG });
  await app.ready();
  const tokens = new Map<Role, Record<string, string>>();
  const as = async (role: Role) => {
    let h = tokens.get(role);
    if (!h) {
      const username = `${role}-user`;
      const existing = (await services.accounts.listUsers()).find((u) => u.username === (role === 'admin' ? 'admin' : username));
      const user = existing ?? (await services.accounts.createUser({ kind: 'system', label: 'test' }, { username, role, password: null })).user;
      const { token } = await services.accounts.createToken({ kind: 'system', label: 'test' }, user.id, `${role} test token`);
      h = { authorization: `Bearer ${token}` };
      tokens.set(role, h);
    }
    return h;
  };
  return {
    services,
    app,
    clock,
    db,
    as,
    req: async ({ as: role, ...opts }) => app.inject({ ...opts, headers: { ...(role ? await as(role) : {}), ...(opts.headers ?? {}) } }),
    close: async () => {
      await app.close();
      await services.close();
      await db.drop();
    },
  };
}
