/**
 * Every bound on memory and waiting in one place (issue 12): what each thread may hold, how much
 * may queue, how long an unbounded read may run. Caches and windows elsewhere name their cap
 * beside their code and are listed in docs/memory.md.
 */
export const LIMITS = {
  /** V8 old-generation heap of each role worker (MB): past it, the worker ends and is started again */
  workerHeapMB: { intake: 160, detect: 256, notify: 96, query: 128 },
  /** V8 young-generation size of each worker (MB): small keeps each thread's resident memory small */
  workerYoungMB: 8,
  /** the API thread's old generation may grow this much (MB) past what it held after its last full collection before one is asked for (runtime/heap-trim.ts) */
  apiHeapSlackMB: 12,
  /** how often the API thread's heap is looked at (ms) */
  apiHeapCheckMs: 2_000,
  /** SQLite: past this size (MB) the intake thread checkpoints the write-ahead log and starts it again (store/database.ts restartLog) */
  walRestartMB: 64,
  /** …waiting at most this long (ms) for the searches still reading it (else: next time) */
  walRestartWaitMs: 250,
  /** …looking at its size at most this often (ms) */
  walCheckMs: 1_000,
  /** an on-demand worker (searches) ends after this long without a call, and starts again with the next */
  idleWorkerMs: 60_000,
  /** request bodies handed to the intake worker and not yet stored, in bytes: beyond, 503 + Retry-After */
  intakeInFlightBytes: 16 * 1024 * 1024,
  /** a free-text search runs at most this long (the query worker is ended and started again) */
  searchTimeoutMs: 10_000,
  /** the search thread's nice value (Linux): under load, storing and detecting keep the processors */
  searchThreadNice: 10,
  /** searches running or waiting at once (beyond: 429) */
  searchesWaiting: 8,
  /** alerts detection replays at most, on start, to rebuild its correlation windows (those within the longest timespan) */
  windowReplayAlerts: 200_000,
  /** how long a stopping worker may take to finish its batch before it is ended */
  workerStopMs: 15_000,
} as const;
