import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';

/** One benchmark figure: ours against a baseline measured in the same run. */
export interface Metric {
  suite: string;
  name: string;
  unit: string;
  ours: number;
  baseline: number | null;
  baselineName: string | null;
  /** ours / baseline. */
  ratio: number | null;
  target: string | null;
  pass: boolean | null;
  note?: string;
}

export interface BenchContext {
  smoke: boolean;
  /** A database of its own for this run, dropped at the end. */
  url: string;
  sql: postgres.Sql;
  machine: Record<string, string | number>;
  /** Starts `npm start`'s app factory in a child process on this run's database; resolves with its URL. */
  startServer(env?: Record<string, string>, nodeArgs?: string[]): Promise<ChildServer>;
  /** Empties every table (between suites). */
  reset(): Promise<void>;
}

export interface ChildServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A metric with its ratio ours/baseline, checked against `maxRatio` (costs) or `minRatio` (throughputs). */
export function metric(m: Omit<Metric, 'ratio' | 'pass'> & { maxRatio?: number; minRatio?: number }): Metric {
  const { maxRatio, minRatio, ...rest } = m;
  let ratio: number | null = null;
  let pass: boolean | null = null;
  if (m.baseline !== null && m.baseline > 0 && m.ours > 0) {
    ratio = m.ours / m.baseline;
    if (maxRatio !== undefined) pass = ratio <= maxRatio;
    if (minRatio !== undefined) pass = ratio >= minRatio;
  }
  return { ...rest, ratio, pass };
}

export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  // A typed array sorts numerically in native code: the fan-out suite sorts a million latencies
  // between two measured times, and a comparator-driven sort kept a core busy for about a second.
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** The item whose `key` is the median (of an even count, the upper of the two middle ones). */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[items.length >> 1]!;
}

/**
 * One round of two measurements taken in turn: `a` first in even rounds, `b` first in odd ones, so
 * that a drift of the machine's speed during a run weighs on both sides alike.
 */
export async function inTurn(round: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<void> {
  const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
  await first();
  await second();
}

/** CPU time (user + system) a process has used, in ms (Linux: /proc/<pid>/stat, 10 ms ticks). */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
}

export async function time<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

export async function createBenchContext(options: { smoke: boolean; adminUrl: string }): Promise<BenchContext & { close(): Promise<void> }> {
  const name = `tasklane_bench_${process.pid}`;
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const serverVersion = ((await admin`SHOW server_version`) as unknown as { server_version: string }[])[0]!.server_version;
  const parsed = new URL(options.adminUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();

  // Migrate once through the app's own start-up path.
  const { openDatabase } = await import('../src/db/database.ts');
  const migrated = await openDatabase({ url, maxConnections: 1 });
  await migrated.close();

  const sql = postgres(url, { max: 8, onnotice: () => {} });
  const children = new Set<ChildServer>();
  const cpu = cpus();
  return {
    smoke: options.smoke,
    url,
    sql,
    machine: {
      cores: cpu.length,
      cpu: cpu[0]?.model ?? 'unknown',
      node: process.version,
      postgres: serverVersion,
      date: new Date().toISOString(),
    },
    async startServer(env = {}, nodeArgs = []) {
      const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
        // LOG_LEVEL info: the start-up line carries the URL this parent waits for.
        env: { ...process.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', ...env, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const serverUrl = await new Promise<string>((resolve, reject) => {
        let buffer = '';
        const timer = setTimeout(() => reject(new Error('server did not start in 30 s')), 30_000);
        child.stdout!.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const match = /"url":"(http:[^"]+)"/.exec(buffer);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      });
      child.stdout!.resume();
      const server: ChildServer = {
        url: serverUrl,
        process: child,
        async stop() {
          children.delete(server);
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          await Promise.race([new Promise((r) => child.once('exit', r)), sleep(10_000)]);
          if (child.exitCode === null) child.kill('SIGKILL');
        },
      };
      children.add(server);
      return server;
    },
    async reset() {
      await sql.unsafe('TRUNCATE tasks, jobs, threads, task_events, job_events, idempotency_keys, workers CASCADE');
    },
    async close() {
      for (const child of [...children]) await child.stop();
      await sql.end();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** POSTs one GraphQL operation and returns `data`, throwing on errors. */
export async function gql<T = any>(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data as T;
}
