/**
 * Every refusal the server can word by a rule or a reason has its words in the console, in both
 * languages: the source is read for each `validationError(field, message, 'rule')` and each
 * `reason: '…'` of a refusal, and the console's own errorText must word each without falling back
 * to the server's English message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

type ApiErrorLike = Error & { status: number };
const web = path.resolve(import.meta.dirname, '../web/src');
const { ApiError } = (await import(path.join(web, 'api.ts'))) as { ApiError: new (status: number, body: unknown) => ApiErrorLike };
const { errorText } = (await import(path.join(web, 'errors.ts'))) as { errorText: (e: unknown, lang: 'zh' | 'en') => string };

const SRC = path.resolve(import.meta.dirname, '../src');
const sources = fs
  .readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => fs.readFileSync(path.join(SRC, f), 'utf8'));
const literal = String.raw`(?:'[^']*'|\x60[^\x60]*\x60|"[^"]*")`;
const RULE = new RegExp(String.raw`validationError\(\s*${literal},\s*${literal},\s*'(\w+)'`, 'g');
const REASON = /DomainError\('(?:conflict|forbidden|not_found)',[^;]*?reason: '(\w+)'/gs;
const rules = [...new Set(sources.flatMap((s) => [...s.matchAll(RULE)].map((m) => m[1]!)))].sort();
const reasons = [...new Set(sources.flatMap((s) => [...s.matchAll(REASON)].map((m) => m[1]!)))].sort();

describe('the words of every refusal', () => {
  it('finds the rules and reasons in the source (the scan itself works)', () => {
    expect(rules).toEqual(expect.arrayContaining(['rrule', 'rruleTooOften', 'findingMove', 'notDrill']));
    expect(reasons).toEqual(expect.arrayContaining(['campaignClosed', 'occurrenceOpen', 'alertsOnIncident']));
  });

  it.each(['zh', 'en'] as const)('words every field rule in %s', (lang) => {
    const raw = rules.filter((rule) => errorText(new ApiError(400, { code: 'validation', message: 'x', details: [{ field: 'title', message: 'SERVER-WORDS', rule }] }), lang).includes('SERVER-WORDS'));
    expect(raw).toEqual([]);
  });

  it.each(['zh', 'en'] as const)('words every conflict reason in %s', (lang) => {
    const raw = reasons.filter((reason) => errorText(new ApiError(409, { code: 'conflict', message: 'SERVER-WORDS', details: { reason } }), lang).includes('SERVER-WORDS'));
    expect(raw).toEqual([]);
  });
});
