/** Runs a rule test job in a worker thread with a time limit and a memory limit. */
import { Worker } from 'node:worker_threads';
import { DomainError } from '../domain/errors.js';
import type { RuleRunReport } from './rule-test.js';
import type { RuleTestJob } from './rule-test.worker.js';

export const RULE_TEST_TIMEOUT_MS = 10_000;

export function runRuleTestJob(job: RuleTestJob, timeoutMs = RULE_TEST_TIMEOUT_MS): Promise<RuleRunReport> {
  // built: the .js beside this file. Under the test runner (TypeScript sources) the worker
  // registers tsx first: Node 20 does not apply `--import` loaders given in a worker's execArgv.
  const fromSource = import.meta.url.endsWith('.ts');
  const resourceLimits = { maxOldGenerationSizeMb: 256 };
  const worker = fromSource
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(new URL('./rule-test.worker.ts', import.meta.url).href)}); })`,
        { eval: true, workerData: job, resourceLimits },
      )
    : new Worker(new URL('./rule-test.worker.js', import.meta.url), { workerData: job, resourceLimits });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new DomainError('validation', `the rule test ran longer than ${timeoutMs / 1000} s and was stopped: look for a regular expression that backtracks (nested quantifiers such as (a+)+) or send fewer events`));
    }, timeoutMs);
    worker.once('message', (m: { ok: boolean; report?: RuleRunReport; error?: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (m.ok) resolve(m.report!);
      else reject(new DomainError('validation', `the rule test failed: ${m.error}`));
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(new DomainError('validation', `the rule test failed: ${e.message}`));
    });
  });
}
