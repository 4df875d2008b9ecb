/**
 * The console's API types, generated from the server's own OpenAPI document (the TypeBox schema of
 * every route): `npm run api-types` writes web/src/api-schema.ts, which the console's typed client
 * (web/src/api.ts, openapi-fetch) reads, so `tsc` finds a console that reads a field the server
 * renamed. test/api-types.test.ts fails while the file is older than the routes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { openServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';

export const API_SCHEMA_FILE = path.resolve(import.meta.dirname, '../web/src/api-schema.ts');

/** The OpenAPI document a server serves (at /docs/json), from a throw-away embedded database. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-api-types-'));
  try {
    const services = await openServices(loadConfig({ BIHUAN_DATA_DIR: dir }, { logLevel: 'silent' }));
    try {
      const app = await buildServer(services, { logger: false });
      await app.ready();
      const doc = app.swagger() as unknown as Record<string, unknown>;
      await app.close();
      return doc;
    } finally {
      await services.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The TypeScript of web/src/api-schema.ts. */
export async function apiTypes(): Promise<string> {
  const ast = await openapiTS(JSON.parse(JSON.stringify(await openApiDocument())), { alphabetize: true });
  return `/* eslint-disable */\n// Generated from the server's OpenAPI document by \`npm run api-types\` (scripts/api-types.ts): do not edit.\n\n${astToString(ast)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  fs.writeFileSync(API_SCHEMA_FILE, await apiTypes());
  console.log(`written: ${path.relative(process.cwd(), API_SCHEMA_FILE)}`);
}
