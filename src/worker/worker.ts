import { hostname } from 'node:os';
import { graphql } from '../gql/index.ts';
import type { WorkerClaimedTaskFragment } from '../gql/graphql.ts';
import { createGraphqlClient, GraphqlRequestError, type GraphqlClient } from './client.ts';

/** What the worker reads of a claimed task (a fragment shared by both claim requests). */
graphql(`
  fragment WorkerClaimedTask on Task {
    id
    name
    conf
    attempts
    priority
    index
    refId
    timeoutMs
    leaseExpiresAt
    job { id }
    thread { name }
  }
`);

const ClaimTasks = graphql(`
  mutation WorkerClaimTasks($input: ClaimTasksInput!) {
    claimTasks(input: $input) {
      tasks { ...WorkerClaimedTask }
    }
  }
`);

const Heartbeat = graphql(`
  mutation WorkerHeartbeat($input: HeartbeatInput!) {
    heartbeat(input: $input) {
      results { taskId directive leaseExpiresAt }
    }
  }
`);

const ConcludeTasks = graphql(`
  mutation WorkerConcludeTasks($input: ConcludeTasksInput!) {
    concludeTasks(input: $input) {
      applied
      ids
      errors { index code message status }
    }
  }
`);

/** Conclusions and, in the same request, the next claim (without waiting): one round trip for both. */
const ConcludeAndClaim = graphql(`
  mutation WorkerConcludeAndClaim($conclude: ConcludeTasksInput!, $claim: ClaimTasksInput!) {
    concludeTasks(input: $conclude) {
      applied
      ids
      errors { index code message status }
    }
    claimTasks(input: $claim) {
      tasks { ...WorkerClaimedTask }
    }
  }
`);

type ClaimedTask = WorkerClaimedTaskFragment;

/** A claimed task as the handler sees it. */
function workerTask(task: ClaimedTask): WorkerTask {
  return {
    // (`?? …` only for the generated types: the schema may print these fields nullable.)
    id: task.id ?? '',
    name: task.name ?? '',
    conf: (task.conf ?? {}) as Record<string, unknown>,
    attempt: task.attempts ?? 0,
    priority: task.priority ?? 0,
    jobId: task.job?.id ?? null,
    index: task.index ?? null,
    thread: task.thread?.name ?? null,
    refId: task.refId ?? null,
    timeoutMs: task.timeoutMs ?? null,
  };
}

const OUTCOME_STATUS = { SUCCEEDED: 'COMPLETED', FAILED: 'FAILED', CANCELLED: 'CANCELLED' } as const;

/** A claimed task as a handler sees it. */
export interface WorkerTask {
  id: string;
  name: string;
  conf: Record<string, unknown>;
  /** This claim's attempt (1 for the first run); fences heartbeats and the conclusion. */
  attempt: number;
  priority: number;
  jobId: string | null;
  index: number | null;
  thread: string | null;
  refId: string | null;
  timeoutMs: number | null;
}

/** Why a task's signal was aborted: `reason` of `ctx.signal`. */
export type AbortReason = 'CANCEL' | 'ABANDON' | 'STOP';

export interface TaskContext {
  /**
   * Aborted when the server answers CANCEL (stop; the task ends CANCELLED), ABANDON (the task is no
   * longer yours; nothing is sent), or on a non-graceful stop. `signal.reason` says which.
   */
  readonly signal: AbortSignal;
  /** Reports progress (0..1) and an optional status line with the next heartbeat. */
  progress(value: number, message?: string): void;
  /** The worker's name (the task's residentOn). */
  readonly worker: string;
}

export type TaskHandler = (task: WorkerTask, ctx: TaskContext) => Promise<unknown> | unknown;
export type TaskHandlers = Record<string, TaskHandler>;

/**
 * Throw this from a handler to fail the task with a chosen errorInfo (code, then params). Any other
 * error fails it with [error.name, error.message].
 */
export class TaskFailure extends Error {
  readonly errorInfo: string[];
  constructor(code: string, ...params: string[]) {
    super(params.length ? `${code}: ${params.join(', ')}` : code);
    this.name = 'TaskFailure';
    this.errorInfo = [code, ...params];
  }
}

export interface WorkerLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface WorkerOptions {
  /** The server's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** A WORKER (or ADMIN) token; omit for a server running open on loopback. */
  token?: string;
  /** Unique per worker process; default host-pid-random. */
  name?: string;
  /** Handler per task name; the worker claims only these names. */
  handlers: TaskHandlers;
  /** Tasks run at once (default 1). */
  concurrency?: number;
  /** Lease per claim and heartbeat (default 30,000 ms); heartbeats go out every leaseMs/3. */
  leaseMs?: number;
  /** How long one claim call waits on the server for work (default 30,000 ms, max 60,000). */
  pollWaitMs?: number;
  logger?: WorkerLogger;
}

export interface StopOptions {
  /**
   * true (default): claim nothing more, let running tasks finish and conclude them.
   * false: abort running handlers (signal reason STOP) and hand their tasks back: their leases are
   * cut to the minimum, so the sweeper requeues them (while attempts remain) within about a second.
   */
  graceful?: boolean;
}

export interface Worker {
  readonly name: string;
  /** Tasks running now. */
  readonly running: number;
  /** Tasks concluded by this worker so far, by outcome. */
  readonly stats: { succeeded: number; failed: number; cancelled: number; abandoned: number };
  stop(options?: StopOptions): Promise<void>;
  /** Resolves when the worker has stopped. */
  readonly stopped: Promise<void>;
}

interface Running {
  task: WorkerTask;
  controller: AbortController;
  progress: number | null;
  message: string | undefined;
  /** Progress/message changed since the last heartbeat. */
  dirty: boolean;
  cancelRequested: boolean;
  abandoned: boolean;
  /** The handler has returned; the conclusion is queued or on its way (heartbeats keep the lease). */
  done: boolean;
}

type ConcludeInput = {
  id: string;
  outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  result?: unknown;
  errorInfo?: string[];
  worker: string;
  attempt: number;
};

/** A conclusion waiting to be sent (or re-sent after a failed request). */
interface QueuedConclusion {
  entry: Running;
  input: ConcludeInput;
  /** Requests that carried it and failed. */
  failures: number;
}

/** Conclusions per concludeTasks request (the server takes up to 10,000). */
const MAX_CONCLUDE_BATCH = 1_000;
/** Requests that may fail (network, 5xx) before a conclusion is given up and left to the lease. */
const CONCLUDE_TRIES = 8;

const consoleLogger: WorkerLogger = {
  info: (m, f) => console.log(JSON.stringify({ level: 'info', msg: m, ...f })),
  warn: (m, f) => console.warn(JSON.stringify({ level: 'warn', msg: m, ...f })),
  error: (m, f) => console.error(JSON.stringify({ level: 'error', msg: m, ...f })),
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * createWorker: starts a worker that long-polls claimTasks for the names it has handlers for, runs up
 * to `concurrency` handlers at once, heartbeats every leaseMs/3 (extending leases, reporting progress,
 * and aborting a handler's signal when the server answers CANCEL or ABANDON), and concludes each task
 * with its outcome: SUCCEEDED with the handler's return value as result, FAILED with errorInfo from
 * the thrown error, CANCELLED when it stopped after a CANCEL. Conclusions are fenced by worker and
 * attempt, so a worker whose claim was revoked can never overwrite a newer attempt.
 *
 * Conclusions are batched and carry the next claim. A finished handler frees its slot at once; its conclusion is
 * queued and sent with concludeTasks: at the end of this event-loop turn when no conclude request is
 * in flight, else together with every other conclusion that finished meanwhile, in the next request
 * (natural batching, no timer). When no claim is on its way, that request also claims for the free
 * slots (without waiting), so one round trip ends a batch and starts the next; the long poll only
 * runs when that found nothing. A task stays held (heartbeated) until its conclusion is answered, and
 * the worker holds at most 2 × concurrency tasks, so claims pause while a slow server lets
 * conclusions pile up.
 */
export function createWorker(options: WorkerOptions): Worker {
  const name = options.name ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const leaseMs = options.leaseMs ?? 30_000;
  const pollWaitMs = Math.min(60_000, Math.max(0, options.pollWaitMs ?? 30_000));
  const heartbeatMs = Math.max(250, Math.floor(leaseMs / 3));
  const log = options.logger ?? consoleLogger;
  const names = Object.keys(options.handlers);
  if (names.length === 0) throw new Error('createWorker: no handlers');
  const client: GraphqlClient = createGraphqlClient(options.url, options.token);

  const running = new Map<string, Running>();
  const stats = { succeeded: 0, failed: 0, cancelled: 0, abandoned: 0 };
  const stopClaiming = new AbortController();
  let stopping: Promise<void> | null = null;
  let slotFreed: (() => void) | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let soonTimer: NodeJS.Timeout | null = null;
  let heartbeatInFlight: Promise<void> | null = null;
  /** Handlers running now (the tasks in `running` that are not `done`). */
  let executing = 0;
  const conclusions: QueuedConclusion[] = [];
  let concluding: Promise<void> | null = null;
  let flushScheduled = false;
  /**
   * Set by a non-graceful stop: conclusions still go out but a failed request is not retried, and
   * tasks that a request already on its way still claims are handed back at once.
   */
  let handingBack = false;
  /** A request that claims (a long poll, or conclusions with a claim) is on its way. */
  let claiming = false;

  const freeSlot = () => {
    const wake = slotFreed;
    slotFreed = null;
    wake?.();
  };

  /**
   * Tasks the worker may claim now: free handler slots, while the tasks it holds (running, or
   * finished and waiting for their conclusion's answer, less `concludingNow` about to be answered)
   * stay within 2 × concurrency.
   */
  function claimable(concludingNow = 0): number {
    if (stopClaiming.signal.aborted) return 0;
    return Math.max(0, Math.min(concurrency - executing, 2 * concurrency - (running.size - concludingNow)));
  }

  /**
   * Long-polls claimTasks while slots are free. A conclude request in flight may claim for the free
   * slots itself (sendConclusions), so the loop waits for its answer first and long-polls only for
   * what is still free then.
   */
  async function claimLoop(): Promise<void> {
    let backoff = 100;
    stopClaiming.signal.addEventListener('abort', freeSlot, { once: true });
    while (!stopClaiming.signal.aborted) {
      const free = claimable();
      if (free <= 0 || concluding || flushScheduled) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        // Handlers that finish in this turn of the event loop free their slots too: one claim for all.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      claiming = true;
      try {
        const { claimTasks } = await client.request(
          ClaimTasks,
          { input: { worker: name, names, limit: free, leaseMs, waitMs: pollWaitMs } },
          stopClaiming.signal,
        );
        backoff = 100;
        for (const task of claimTasks.tasks) start(workerTask(task));
      } catch (error) {
        if (stopClaiming.signal.aborted) break;
        if (error instanceof GraphqlRequestError && !error.retryable) {
          // Bad token, bad input: retrying fast would only repeat it.
          log.error('claimTasks refused', { worker: name, error: error.message });
          backoff = Math.max(backoff, 5_000);
        } else {
          log.warn('claimTasks failed, retrying', { worker: name, error: (error as Error).message, retryInMs: backoff });
        }
        await sleep(backoff, stopClaiming.signal);
        backoff = Math.min(backoff * 2, 10_000);
      } finally {
        claiming = false;
      }
    }
  }

  function start(task: WorkerTask): void {
    const entry: Running = {
      task,
      controller: new AbortController(),
      progress: null,
      message: undefined,
      dirty: false,
      cancelRequested: false,
      abandoned: false,
      done: false,
    };
    running.set(task.id, entry);
    executing++;
    ensureHeartbeats();
    const ctx: TaskContext = {
      signal: entry.controller.signal,
      worker: name,
      progress(value, message) {
        if (!(Number.isFinite(value) && value >= 0 && value <= 1)) throw new RangeError(`progress must be 0..1, got ${value}`);
        entry.progress = value;
        if (message !== undefined) entry.message = message;
        entry.dirty = true;
        heartbeatSoon();
      },
    };
    void (async () => {
      let outcome: { kind: 'ok'; result: unknown } | { kind: 'error'; error: unknown };
      try {
        const handler = options.handlers[task.name]!;
        outcome = { kind: 'ok', result: await handler(task, ctx) };
      } catch (error) {
        outcome = { kind: 'error', error };
      }
      finish(entry, outcome);
    })();
  }

  /** The handler returned: frees its slot and queues the conclusion (or drops a task no longer ours). */
  function finish(entry: Running, outcome: { kind: 'ok'; result: unknown } | { kind: 'error'; error: unknown }): void {
    const { task } = entry;
    entry.done = true;
    executing--;
    const reason = entry.controller.signal.aborted ? (entry.controller.signal.reason as AbortReason) : null;
    if (entry.abandoned || reason === 'ABANDON' || reason === 'STOP') {
      // Not ours any more (or handed back): a conclusion would be refused (NOT_OWNER) or wrong.
      stats.abandoned++;
      if (running.get(task.id) === entry) running.delete(task.id);
      freeSlot();
      return;
    }
    let input: ConcludeInput;
    if (outcome.kind === 'ok') {
      input = { id: task.id, outcome: 'SUCCEEDED', result: outcome.result ?? null, worker: name, attempt: task.attempt };
    } else if (entry.cancelRequested) {
      input = { id: task.id, outcome: 'CANCELLED', worker: name, attempt: task.attempt };
    } else {
      input = { id: task.id, outcome: 'FAILED', errorInfo: errorInfoOf(outcome.error), worker: name, attempt: task.attempt };
    }
    conclusions.push({ entry, input, failures: 0 });
    freeSlot();
    flushConclusions();
  }

  /**
   * Sends the queued conclusions unless a request is already in flight (it takes them next). The
   * request starts at the end of this turn of the event loop, so the handlers that finish together
   * (a claimed batch of quick tasks) conclude together; there is no timer and no waiting beyond that.
   */
  function flushConclusions(): void {
    if (concluding || flushScheduled || conclusions.length === 0) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      if (concluding || conclusions.length === 0) return;
      concluding = sendConclusions().finally(() => {
        concluding = null;
        freeSlot(); // the claim loop waits for a conclude request that might have claimed
        flushConclusions(); // anything queued after the loop's last look
      });
    });
  }

  /** The task is concluded (or given up): it is no longer held. */
  function settle(entry: Running): void {
    if (running.get(entry.task.id) === entry) running.delete(entry.task.id);
    freeSlot();
  }

  /**
   * Sends the queued conclusions, in as many requests as it takes (more queue up while one is in
   * flight). When no claim is on its way and slots are free, the request also claims for them
   * (waitMs 0: the conclusions' answer must not wait for work to appear): one round trip for the
   * end of one batch and the start of the next.
   */
  async function sendConclusions(): Promise<void> {
    let backoff = 200;
    while (conclusions.length > 0) {
      const batch = conclusions.splice(0, MAX_CONCLUDE_BATCH);
      const conclude = { tasks: batch.map((c) => c.input), ignore: true };
      const limit = claiming ? 0 : claimable(batch.length);
      try {
        let answer: { applied: boolean; ids: string[]; errors: { index?: number | null; code: string; message: string; status?: string | null }[] };
        let claimed: ClaimedTask[] = [];
        if (limit > 0) {
          claiming = true;
          try {
            const data = await client.request(ConcludeAndClaim, {
              conclude,
              claim: { worker: name, names, limit, leaseMs, waitMs: 0 },
            });
            answer = data.concludeTasks;
            claimed = data.claimTasks.tasks;
          } finally {
            claiming = false;
          }
        } else {
          answer = (await client.request(ConcludeTasks, { input: conclude })).concludeTasks;
        }
        backoff = 200;
        const concluded = new Set(answer.applied ? answer.ids : []);
        const errors = new Map(answer.errors.map((e) => [e.index, e]));
        batch.forEach((c, index) => {
          const error = errors.get(index);
          // A conclusion sent again after a failed request may have landed the first time: the task
          // is then already in the status it asked for.
          const landedBefore = c.failures > 0 && error?.code === 'INVALID_STATE' && error.status === OUTCOME_STATUS[c.input.outcome];
          if (concluded.has(c.input.id) || landedBefore) {
            if (c.input.outcome === 'SUCCEEDED') stats.succeeded++;
            else if (c.input.outcome === 'FAILED') stats.failed++;
            else stats.cancelled++;
          } else {
            // NOT_OWNER (revoked, lease expired and claimed again), INVALID_STATE (concluded by an operator), …
            log.warn('conclusion refused', { worker: name, taskId: c.input.id, errors: error ? [{ code: error.code, message: error.message }] : [] });
            stats.abandoned++;
          }
          settle(c.entry);
        });
        for (const task of claimed) start(workerTask(task));
        if (handingBack && claimed.length > 0) await handBack();
      } catch (error) {
        const retryable = !handingBack && (!(error instanceof GraphqlRequestError) || error.retryable);
        const again: QueuedConclusion[] = [];
        for (const c of batch) {
          c.failures++;
          if (retryable && c.failures < CONCLUDE_TRIES) {
            again.push(c);
            continue;
          }
          log.error('concludeTask failed; the lease will return the task', { worker: name, taskId: c.input.id, error: (error as Error).message });
          stats.abandoned++;
          settle(c.entry);
        }
        if (again.length > 0) {
          conclusions.unshift(...again);
          await sleep(backoff);
          backoff = Math.min(backoff * 2, 5_000);
        }
      }
    }
  }

  function ensureHeartbeats(): void {
    if (heartbeatTimer) return;
    heartbeatTimer = setInterval(() => void sendHeartbeat(), heartbeatMs);
  }

  /** Progress goes out within a second rather than waiting for the next regular heartbeat. */
  function heartbeatSoon(): void {
    if (soonTimer || heartbeatMs <= 1000) return;
    soonTimer = setTimeout(() => {
      soonTimer = null;
      void sendHeartbeat();
    }, 1000);
  }

  function sendHeartbeat(lease = leaseMs, only?: Running[]): Promise<void> {
    if (heartbeatInFlight) return heartbeatInFlight;
    const entries = only ?? [...running.values()].filter((e) => !e.abandoned);
    if (entries.length === 0) {
      if (heartbeatTimer && running.size === 0) {
        clearInterval(heartbeatTimer);
        heartbeatTimer = null;
      }
      return Promise.resolve();
    }
    const sent = entries.map((e) => {
      const dirty = e.dirty;
      e.dirty = false;
      return {
        entry: e,
        dirty,
        item: {
          id: e.task.id,
          attempt: e.task.attempt,
          ...(dirty && e.progress !== null ? { progress: e.progress } : {}),
          ...(dirty && e.message !== undefined ? { message: e.message } : {}),
        },
      };
    });
    heartbeatInFlight = (async () => {
      try {
        const { heartbeat } = await client.request(Heartbeat, {
          input: { worker: name, leaseMs: lease, tasks: sent.map((s) => s.item) },
        });
        for (const result of heartbeat.results) {
          const entry = running.get(result.taskId);
          if (!entry) continue;
          if (result.directive === 'CANCEL' && !entry.cancelRequested) {
            entry.cancelRequested = true;
            entry.controller.abort('CANCEL' satisfies AbortReason);
          } else if (result.directive === 'ABANDON' && !entry.abandoned) {
            entry.abandoned = true;
            entry.controller.abort('ABANDON' satisfies AbortReason);
          }
        }
      } catch (error) {
        // Progress not delivered goes out with the next heartbeat; the lease leaves room for a few misses.
        for (const s of sent) if (s.dirty) s.entry.dirty = true;
        log.warn('heartbeat failed', { worker: name, error: (error as Error).message });
      } finally {
        heartbeatInFlight = null;
      }
    })();
    return heartbeatInFlight;
  }

  const loop = claimLoop();

  /**
   * Hands running tasks back: aborts their handlers, then cuts their leases to the minimum so that
   * the sweeper requeues them soon (a worker cannot requeue directly; the lease is its promise).
   * Tasks whose handler has already returned keep their conclusion, which goes out once (no retries).
   */
  async function handBack(): Promise<void> {
    handingBack = true;
    const handedBack = [...running.values()].filter((e) => !e.done);
    if (handedBack.length === 0) return;
    for (const entry of handedBack) entry.controller.abort('STOP' satisfies AbortReason);
    await heartbeatInFlight;
    await sendHeartbeat(
      1_000,
      handedBack.filter((e) => !e.abandoned),
    );
    // Their outcome no longer matters (finish() drops it), so a handler that ignores its signal
    // cannot hold the stop up.
    for (const entry of handedBack) running.delete(entry.task.id);
    freeSlot();
  }

  const stop = async (stopOptions: StopOptions = {}): Promise<void> => {
    // A non-graceful stop also escalates a graceful one that is still waiting for its tasks.
    if (stopOptions.graceful === false) {
      stopClaiming.abort();
      await loop;
      await handBack();
    }
    stopping ??= (async () => {
      stopClaiming.abort();
      await loop;
      // Until every held task is concluded: handlers finish, queued conclusions go out.
      while (running.size > 0) {
        await new Promise<void>((resolve) => {
          slotFreed = resolve;
          setTimeout(resolve, 50);
        });
      }
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      if (soonTimer) clearTimeout(soonTimer);
      heartbeatTimer = null;
      soonTimer = null;
      await heartbeatInFlight;
    })();
    return stopping;
  };

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const originalStop = stop;

  return {
    name,
    get running() {
      return running.size;
    },
    stats,
    stop: (o) => originalStop(o).then(() => resolveStopped()),
    stopped,
  };
}

/** errorInfo of a failed task: a TaskFailure's own, else [name, message]. */
export function errorInfoOf(error: unknown): string[] {
  if (error instanceof TaskFailure) return error.errorInfo;
  if (error instanceof Error) return [error.name || 'Error', error.message];
  return ['Error', String(error)];
}
