/**
 * The console's API types are the server's: web/src/api-schema.ts is what `npm run api-types`
 * makes of the OpenAPI document now. A route whose schema changed without the file being made
 * again fails here; the console's `tsc` then shows every page the change touches.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_FILE, apiTypes } from '../scripts/api-types.js';

describe('the console API types', () => {
  it('are generated from the current OpenAPI document (run `npm run api-types` after changing a route)', async () => {
    const fresh = await apiTypes();
    expect(fs.readFileSync(API_SCHEMA_FILE, 'utf8') === fresh, 'web/src/api-schema.ts is older than the routes: run `npm run api-types`').toBe(true);
  }, 60_000);
});
