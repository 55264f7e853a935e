import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { gql, metric, type BenchContext, type Metric } from './context.ts';

const QUERY = '{ tasks(first: 100) { nodes { id name status job { id name } } } }';

async function load(url: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    connections: 32,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY }),
  });
}

/**
 * 4. Reads: requests/s and latency of `tasks(first: 100)` with job and status fields under 32
 * concurrent connections, against a hand-written node:http + postgres.js endpoint serving the same
 * rows. Target: ≥ 0.5× its throughput.
 */
export async function benchReads(ctx: BenchContext): Promise<Metric[]> {
  const seconds = ctx.smoke ? 2 : 10;
  const server = await ctx.startServer();
  await gql(server.url, 'mutation { submitJob(input: { name: "reads", tasks: [' + Array.from({ length: 200 }, (_, i) => `{ name: "read-${i}" }`).join(',') + '] }) { applied } }');
  const check = await gql<{ tasks: { nodes: unknown[] } }>(server.url, QUERY);
  if (check.tasks.nodes.length !== 100) throw new Error('reads: expected 100 tasks');

  const raw = spawn(process.execPath, ['--import', 'tsx', 'bench/rawReadServer.ts'], {
    env: { ...process.env, DATABASE_URL: ctx.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rawUrl = await new Promise<string>((resolve, reject) => {
    raw.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { url: string }).url));
    raw.once('exit', (code) => reject(new Error(`raw server exited with ${code}`)));
  });

  await load(server.url, 1); // warm-up: JIT, parse/validate caches, prepared statements
  const ours = await load(server.url, seconds);
  await load(rawUrl, 1);
  const base = await load(rawUrl, seconds);
  raw.kill('SIGTERM');
  await server.stop();
  await ctx.reset();
  if (ours.non2xx > 0 || ours.errors > 0) throw new Error(`reads: ${ours.non2xx} non-2xx, ${ours.errors} errors`);
  return [
    metric({
      suite: 'reads',
      name: 'tasks(first: 100) throughput, 32 connections',
      unit: 'req/s',
      ours: ours.requests.average,
      baseline: base.requests.average,
      baselineName: 'node:http + postgres.js + JSON',
      target: '≥ 0.5×',
      minRatio: 0.5,
    }),
    metric({
      suite: 'reads',
      name: 'tasks(first: 100) latency p50',
      unit: 'ms',
      ours: ours.latency.p50,
      baseline: base.latency.p50,
      baselineName: 'node:http + postgres.js + JSON',
      target: null,
    }),
    metric({
      suite: 'reads',
      name: 'tasks(first: 100) latency p99',
      unit: 'ms',
      ours: ours.latency.p99,
      baseline: base.latency.p99,
      baselineName: 'node:http + postgres.js + JSON',
      target: null,
    }),
  ];
}
