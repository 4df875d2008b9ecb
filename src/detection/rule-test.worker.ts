/**
 * Rule testing for the API, in a worker thread: a rule sent over HTTP may hold a regular
 * expression that backtracks for ever, and a worker can be stopped where a RegExp cannot.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JsonMapping } from '../intake/formats/mapped-json.js';
import { mappedJson } from '../intake/formats/mapped-json.js';
import { normalizeRecords } from '../intake/intake.service.js';
import type { AlertFormat } from '../domain/alert/alert.js';
import { loadRuleText } from '../domain/detection/sigma/rule.js';
import { RuleLibrary } from './rule-library.js';
import { runRules } from './rule-test.js';

export interface RuleTestJob {
  ruleText: string;
  eventsText: string;
  format?: AlertFormat;
  withBuiltin: boolean;
  timeZone: string;
  maxRecordBytes: number;
  maxEvents: number;
  placeholders: Record<string, string[]>;
  fieldMapping: Record<string, string[]>;
  jsonMappings: JsonMapping[];
}

async function main(job: RuleTestJob) {
  const base = job.withBuiltin ? RuleLibrary.load({ builtin: true, dirs: [], placeholders: job.placeholders }) : undefined;
  const own = loadRuleText(job.ruleText, 'rule.yml', { placeholders: job.placeholders });
  const lib = RuleLibrary.of(
    { rules: [...(base?.rules ?? []), ...own.rules], correlations: [...(base?.correlations ?? []), ...own.correlations], refusals: own.refusals },
    job.fieldMapping,
  );
  const mapped = job.jsonMappings.map(mappedJson);
  let line = 0;
  const records = job.eventsText.split('\n').map((text) => ({ line: ++line, text: text.replace(/\r$/, '') }));
  return runRules(lib, [{ name: 'events', records }], (r, format) => normalizeRecords(r, { format, timeZone: job.timeZone, now: new Date(), maxRecordBytes: job.maxRecordBytes, mapped }), {
    format: job.format,
    maxEvents: job.maxEvents,
    maxMatches: 1000,
  });
}

main(workerData as RuleTestJob).then(
  (report) => parentPort!.postMessage({ ok: true, report }),
  (e: unknown) => parentPort!.postMessage({ ok: false, error: (e as Error).message }),
);
