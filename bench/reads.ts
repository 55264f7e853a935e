import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { cpuMs, gql, inTurn, median, medianBy, metric, type BenchContext, type Metric } from './context.ts';

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
 * rows. Target: ≥ 0.5× its throughput. Eight short rounds of each, in turn (see below); the
 * throughputs are the medians of the rounds, the latencies those of the median round.
 */
export async function benchReads(ctx: BenchContext): Promise<Metric[]> {
  const seconds = ctx.smoke ? 2 : 3;
  const rounds = ctx.smoke ? 1 : 8;
  const server = await ctx.startServer();
  await gql(server.url, 'mutation { submitJob(input: { name: "reads", tasks: [' + Array.from({ length: 200 }, (_, i) => `{ name: "read-${i}" }`).join(',') + '] }) { applied } }');
  const check = await gql<{ tasks: { nodes: unknown[] } }>(server.url, QUERY);
  if (check.tasks.nodes.length !== 100) throw new Error('reads: expected 100 tasks');
  // Statistics, as autovacuum would have them within a minute: on the fresh table the planner sorted
  // every row for the page (0.56 ms a query against 0.11 with the index), and what the suite then
  // measured, alone, was mostly the baseline waiting for Postgres; after the other suites the table
  // had statistics and the baseline ran 1.5x faster.
  await ctx.sql`ANALYZE tasks, jobs`;

  const raw = spawn(process.execPath, ['--import', 'tsx', 'bench/rawReadServer.ts'], {
    env: { ...process.env, DATABASE_URL: ctx.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rawUrl = await new Promise<string>((resolve, reject) => {
    raw.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { url: string }).url));
    raw.once('exit', (code) => reject(new Error(`raw server exited with ${code}`)));
  });

  // Warm-up: JIT, parse/validate caches, prepared statements. After 1 s our first 5 s round still ran
  // 10-25% below the next two (1,192-1,529 against 1,560-1,825 req/s in four runs).
  const warmup = ctx.smoke ? 1 : 3;
  await load(server.url, warmup);
  await load(rawUrl, warmup);
  // Rounds in turn, and the median round of each: the throughput of either moved by up to 2x between
  // runs minutes apart on the same (virtual) machine, with the same code, and by a tenth or more
  // between rounds seconds apart. Which server goes first alternates (ours, base, base, ours, ...), so
  // that a drift of the machine's speed during the run weighs on both alike, and eight short rounds
  // give a steadier median than three long ones. The round-by-round ratios are in the note.
  //
  // The baseline runs in one of two garbage-collection regimes, a whole run at a time (about half of
  // the runs each, seen with --trace-gc-nvp): in one nothing it allocates outlives a scavenge; in the
  // other a quarter of it (27 of 103 KB per request) is promoted to the old generation, with no
  // response waiting in a socket buffer, and its CPU per request goes from ~180 to ~300 µs. The ratio
  // then reads high (0.8-1.0 where it is otherwise about 0.6-0.67): the note's CPU per request of
  // each side tells which run was which.
  const oursRounds: autocannon.Result[] = [];
  const baseRounds: autocannon.Result[] = [];
  // Each server's CPU per request over its rounds: throughput follows whatever else the host runs,
  // this follows the code.
  const cpu = { ours: 0, base: 0 };
  const measure = async (url: string, pid: number, into: autocannon.Result[], side: keyof typeof cpu) => {
    const before = await cpuMs(pid);
    const result = await load(url, seconds);
    cpu[side] += (await cpuMs(pid)) - before;
    into.push(result);
  };
  for (let round = 0; round < rounds; round++) {
    await inTurn(
      round,
      () => measure(server.url, server.process.pid!, oursRounds, 'ours'),
      () => measure(rawUrl, raw.pid!, baseRounds, 'base'),
    );
  }
  const perRequestUs = (side: keyof typeof cpu, results: autocannon.Result[]) =>
    (cpu[side] * 1000) / results.reduce((sum, r) => sum + r.requests.total, 0);
  raw.kill('SIGTERM');
  await server.stop();
  await ctx.reset();
  for (const r of oursRounds) if (r.non2xx > 0 || r.errors > 0) throw new Error(`reads: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const pairRatios = oursRounds.map((r, i) => r.requests.average / baseRounds[i]!.requests.average);
  const ours = medianBy(oursRounds, (r) => r.requests.average);
  const base = medianBy(baseRounds, (r) => r.requests.average);
  const note =
    `${rounds} rounds of ${seconds} s each, in turn; req/s ours ${oursRounds.map((r) => r.requests.average.toFixed(0)).join(', ')}; ` +
    `baseline ${baseRounds.map((r) => r.requests.average.toFixed(0)).join(', ')}; the median round of each; ` +
    `ours/baseline round by round ${pairRatios.map((r) => r.toFixed(2)).join(', ')} (median ${median(pairRatios).toFixed(2)}); ` +
    `server CPU per request ours ${perRequestUs('ours', oursRounds).toFixed(0)} µs, baseline ${perRequestUs('base', baseRounds).toFixed(0)} µs`;
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
      note,
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
