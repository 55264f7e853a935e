import { gql, median, metric, percentile, type BenchContext, type Metric } from './context.ts';

const LIST = 'query Scale($name: String!) { tasks(filter: { name: $name, status: [QUEUED] }, first: 50) { nodes { id name status } } }';
const CLAIM = 'mutation Scale { claimTasks(input: { worker: "scale-bench", limit: 1 }) { tasks { id } } }';

async function fill(ctx: BenchContext, upTo: number): Promise<void> {
  const [{ n }] = (await ctx.sql`SELECT count(*)::int AS n FROM tasks`) as unknown as [{ n: number }];
  // Set-based fill straight in SQL: building a million rows through the API would measure the API.
  for (let from = n; from < upTo; from += 250_000) {
    const to = Math.min(upTo, from + 250_000);
    await ctx.sql`
      INSERT INTO tasks (id, name, status, priority, conf)
      SELECT gen_random_uuid(), 'scale-' || (i % 100), 'QUEUED', i % 7, '{}'::jsonb
      FROM generate_series(${from}::int, ${to - 1}::int) AS i`;
  }
  // Vacuumed as well as analyzed, as a table that has lived with its rows is: otherwise the insert
  // just made sets off an autovacuum of the whole table, on the cores the measurement runs on.
  await ctx.sql`VACUUM ANALYZE tasks`;
}

async function sample(count: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * 6. Scale: claim latency and the filtered list query with 10,000 and with 1,000,000 tasks in the
 * table. Target: within 1.5× of each other (cost grows with the page, not the table).
 */
export async function benchScale(ctx: BenchContext): Promise<Metric[]> {
  const small = ctx.smoke ? 1_000 : 10_000;
  const large = ctx.smoke ? 20_000 : 1_000_000;
  const samples = ctx.smoke ? 20 : 100;
  const server = await ctx.startServer();
  const measure = async () => {
    await sample(10, (i) => gql(server.url, LIST, { name: `scale-${i}` })); // warm-up
    const list = await sample(samples, (i) => gql(server.url, LIST, { name: `scale-${i % 100}` }));
    const claim = await sample(samples, async () => {
      const data = await gql<{ claimTasks: { tasks: unknown[] } }>(server.url, CLAIM);
      if (data.claimTasks.tasks.length !== 1) throw new Error('scale: claim found no task');
    });
    return { list, claim };
  };
  await ctx.reset();
  await fill(ctx, small);
  const at10k = await measure();
  await fill(ctx, large);
  const at1m = await measure();
  await server.stop();
  await ctx.reset();
  const rows: Metric[] = [];
  for (const [name, key] of [
    ['filtered tasks(first: 50)', 'list'],
    ['claimTasks(limit: 1)', 'claim'],
  ] as const) {
    rows.push(
      metric({
        suite: 'scale',
        name: `${name} p50, ${large} vs ${small} tasks`,
        unit: 'ms',
        ours: median(at1m[key]),
        baseline: median(at10k[key]),
        baselineName: `same query at ${small} tasks`,
        target: '≤ 1.5×',
        maxRatio: 1.5,
        note: `p99 ${percentile(at1m[key], 99).toFixed(1)} vs ${percentile(at10k[key], 99).toFixed(1)} ms`,
      }),
    );
  }
  return rows;
}
