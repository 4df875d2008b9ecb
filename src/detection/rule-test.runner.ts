/** Runs a rule test job in a worker thread with a time limit and a memory limit. */
import { Worker } from 'node:worker_threads';
import { DomainError } from '../domain/errors.js';
import type { RuleRunReport } from './rule-test.js';
import type { RuleTestJob } from './rule-test.worker.js';

export const RULE_TEST_TIMEOUT_MS = 10_000;
/** rule tests running at once (each a worker of up to 256 MB), and waiting for their turn; past both, 429 */
export const RULE_TESTS_RUNNING = 2;
export const RULE_TESTS_WAITING = 4;

let running = 0;
const waiting: Array<() => void> = [];

/**
 * Runs a rule test job in its turn: at most RULE_TESTS_RUNNING at once, RULE_TESTS_WAITING in
 * line; one more is refused (429) so that a burst of tests cannot take the server's memory.
 */
export async function runRuleTestJob(job: RuleTestJob, timeoutMs = RULE_TEST_TIMEOUT_MS): Promise<RuleRunReport> {
  if (running >= RULE_TESTS_RUNNING) {
    if (waiting.length >= RULE_TESTS_WAITING) {
      throw new DomainError('rate_limited', `${running} rule tests are running and ${waiting.length} waiting: retry in a few seconds`, { retryAfterSeconds: Math.ceil(timeoutMs / 1000) });
    }
    // the slot is handed over by the job that ends (running stays counted)
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running++;
  try {
    return await runInWorker(job, timeoutMs);
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function runInWorker(job: RuleTestJob, timeoutMs: number): Promise<RuleRunReport> {
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
