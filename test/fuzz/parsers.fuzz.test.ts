/**
 * Property-based fuzzing of every intake parser and the Sigma rule loader (issue 11): a bounded
 * run in `npm test`; `npm run fuzz` runs each target a million times (FUZZ_RUNS to choose).
 * A failure prints the shrunk input that broke it and the seed to replay it.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { anyRecord, anyText, LINES, loadAnyRule, mutatedJson, mutatedLine, mutatedRule, normalizeBatch, parseEveryWay } from './targets.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const long = RUNS > 10_000;
const opts = { numRuns: RUNS, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) };
const timeout = long ? 24 * 3_600_000 : 60_000;

describe(`fuzzing the parsers (${RUNS} inputs per target)`, () => {
  it('every parser, forced or detected, answers a real JSON record with mutated values or rejects it clearly', () => {
    fc.assert(fc.property(mutatedJson, parseEveryWay), opts);
  }, timeout);

  it('every parser answers a real line with characters spliced in or rejects it clearly', () => {
    fc.assert(fc.property(mutatedLine, parseEveryWay), opts);
  }, timeout);

  it('every parser answers arbitrary text, bytes and JSON or rejects it clearly', () => {
    fc.assert(fc.property(anyText, parseEveryWay), opts);
  }, timeout);

  it('the whole intake pass gives each record of a mixed batch one outcome (multi-line Windows XML included)', async () => {
    const xmlish = fc.constantFrom(...LINES.filter((l) => l.startsWith('<')));
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(anyRecord, xmlish), { minLength: 1, maxLength: 20 }), normalizeBatch), { ...opts, numRuns: Math.max(10, Math.floor(RUNS / 10)) });
  }, timeout);

  it('the Sigma rule loader refuses a damaged rule, never throws or hangs', () => {
    fc.assert(fc.property(fc.oneof(mutatedRule, fc.string({ maxLength: 400 })), loadAnyRule), opts);
  }, timeout);
});
