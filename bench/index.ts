import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { benchCommands } from './commands.ts';
import { benchDispatch } from './dispatch.ts';
import { benchFanout } from './fanout.ts';
import { createBenchContext, type BenchContext, type Metric } from './context.ts';
import { benchReads } from './reads.ts';
import { benchScale } from './scale.ts';
import { benchSubmit } from './submit.ts';

/**
 * npm run bench [-- --smoke] [-- --only submit,reads]
 *
 * Runs against real Postgres (BENCH_DATABASE_URL, default the local cluster) in a database of its
 * own. Every figure is printed next to a baseline measured in the same run, with the ratio.
 */
const SUITES: Record<string, (ctx: BenchContext) => Promise<Metric[]>> = {
  submit: benchSubmit,
  commands: benchCommands,
  dispatch: benchDispatch,
  reads: benchReads,
  fanout: benchFanout,
  scale: benchScale,
};

const { values } = parseArgs({
  options: { smoke: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' } },
});
const selected = values.only ? values.only.split(',') : Object.keys(SUITES);
for (const name of selected) if (!SUITES[name]) throw new Error(`unknown suite ${name}; known: ${Object.keys(SUITES).join(', ')}`);

const ctx = await createBenchContext({
  smoke: values.smoke ?? false,
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
});
const metrics: Metric[] = [];
const failures: string[] = [];
try {
  for (const name of selected) {
    process.stdout.write(`running ${name}…\n`);
    try {
      metrics.push(...(await SUITES[name]!(ctx)));
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
      console.error(`suite ${name} failed:`, error);
    }
  }
} finally {
  await ctx.close();
}

const fmt = (n: number | null, digits = 1) => (n === null || Number.isNaN(n) ? '—' : n.toFixed(digits));
console.log(`\nmachine: ${Object.entries(ctx.machine).map(([k, v]) => `${k} ${v}`).join(', ')}${ctx.smoke ? ' (smoke)' : ''}\n`);
console.table(
  metrics.map((m) => ({
    suite: m.suite,
    metric: m.name,
    unit: m.unit,
    ours: fmt(m.ours),
    baseline: fmt(m.baseline),
    ratio: fmt(m.ratio, 2),
    target: m.target ?? '',
    result: m.pass === null ? '' : m.pass ? 'met' : 'MISSED',
  })),
);
for (const m of metrics) if (m.note) console.log(`${m.suite} / ${m.name}: ${m.note}`);
const out = values.out ?? 'bench/results/latest.json';
await mkdir(new URL('../bench/results/', import.meta.url), { recursive: true });
await writeFile(out, JSON.stringify({ machine: ctx.machine, smoke: ctx.smoke, metrics, failures }, null, 2));
console.log(`\nresults written to ${out}`);
if (failures.length) {
  console.error(`failed suites:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
