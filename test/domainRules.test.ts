import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type SQL } from 'drizzle-orm';
import { getTableConfig, PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { tasks } from '../src/db/tables.ts';
import {
  ABANDONED_CANCEL,
  CLAIM,
  CONCLUDED_STATUSES,
  HELD_STATUSES,
  RETENTION_EFFECTS,
  TASK_STATUSES,
} from '../src/domain/taskStateMachine.ts';
import { statusList, statusLiteral } from '../src/sql/statusSets.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dialect = new PgDialect();
const render = (fragment: SQL) => dialect.sqlToQuery(fragment).sql;

/** The predicates of the partial indexes and checks that restate a domain set, as the migrations hold them. */
const EXPECTED_PREDICATES: Record<string, SQL> = {
  tasks_thread_open_idx: sql`"tasks"."thread" IS NOT NULL AND "tasks"."status" NOT IN ${statusList(CONCLUDED_STATUSES)}`,
  tasks_lease_idx: sql`"tasks"."status" IN ${statusList(HELD_STATUSES)}`,
  tasks_claim_idx: sql`"tasks"."status" = ${statusLiteral(CLAIM.from)}`,
};

describe('the domain sets in the schema', () => {
  const config = getTableConfig(tasks);

  it.each(Object.entries(EXPECTED_PREDICATES))('%s is built from the same set as the statements', (name, expected) => {
    const index = config.indexes.find((i) => i.config.name === name);
    expect(index?.config.where).toBeDefined();
    expect(render(index!.config.where!)).toBe(render(expected));
  });

  it('the latest migration snapshot holds the same predicates', () => {
    const journal = JSON.parse(readFileSync(join(root, 'drizzle/meta/_journal.json'), 'utf8')) as { entries: { idx: number }[] };
    const latest = Math.max(...journal.entries.map((e) => e.idx));
    const snapshot = JSON.parse(
      readFileSync(join(root, `drizzle/meta/${String(latest).padStart(4, '0')}_snapshot.json`), 'utf8'),
    ) as { tables: Record<string, { indexes: Record<string, { where?: string }> }> };
    for (const [name, expected] of Object.entries(EXPECTED_PREDICATES)) {
      expect(snapshot.tables['public.tasks']!.indexes[name]!.where).toBe(render(expected));
    }
  });

  it('the status check lists every status of the state machine', () => {
    const check = config.checks.find((c) => c.name === 'tasks_status_check')!;
    expect(render(check.value)).toBe(`"tasks"."status" IN (${TASK_STATUSES.map((s) => `'${s}'`).join(',')})`);
  });
});

describe('the transitions the server makes itself', () => {
  it('an abandoned cancel concludes and ends the claim', () => {
    expect(ABANDONED_CANCEL).toEqual({
      from: 'CANCELLING',
      to: 'CANCELLED',
      revokeClaim: true,
      resetRun: false,
      conclude: true,
      progressOne: false,
      deferDelete: false,
      keepPendingConclusion: false,
    });
  });

  it('retention keeps each concluded status and changes nothing else', () => {
    expect(RETENTION_EFFECTS.map((e) => [e.from, e.to])).toEqual(CONCLUDED_STATUSES.map((s) => [s, s]));
    for (const e of RETENTION_EFFECTS) {
      expect([e.revokeClaim, e.resetRun, e.conclude, e.progressOne, e.deferDelete, e.keepPendingConclusion]).toEqual([
        false, false, false, false, false, false,
      ]);
    }
  });
});

describe('imports', () => {
  it('src has no import circle', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) files.push(path);
      }
    };
    walk(join(root, 'src'));
    const known = new Set(files);
    const imports = new Map(
      files.map((file) => {
        const text = readFileSync(file, 'utf8');
        const targets = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => resolve(dirname(file), m[1]!));
        return [file, targets.filter((t) => known.has(t))];
      }),
    );
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const target of imports.get(file) ?? []) {
        if (state.get(target) === 'open') {
          circles.push([...stack.slice(stack.indexOf(target)), target].map((f) => relative(root, f)).join(' → '));
        } else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });
});
