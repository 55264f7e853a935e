import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Operations whose input the compiled executor (graphql-jit) coerces differently from graphql-js
 * reach the resolvers exactly as graphql-js gives them, over HTTP, and nothing prints outside the
 * logger. test/executor.differential.test.ts compares the two executors on every document.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

interface RunResult {
  runTasks: { applied: boolean; tasks: { id: string; conf: unknown }[] };
}

async function storedConf(id: string): Promise<unknown> {
  const { task } = await server.gql<{ task: { conf: unknown } }, { id: string }>('query StoredConf($id: ID!) { task(id: $id) { conf } }', { id });
  return task.conf;
}

describe('input the compiled executor would coerce differently', () => {
  it('keeps a variable inside a JSON literal: the task is stored with it', async () => {
    const { runTasks } = await server.gql<RunResult, { f: number }>(
      'mutation RunFramed($f: Int!) { runTasks(input: { tasks: [{ name: "x", conf: { frame: $f, a: 1 } }] }) { applied tasks { id conf } } }',
      { f: 7 },
    );
    expect(runTasks.applied).toBe(true);
    expect(runTasks.tasks[0]!.conf).toEqual({ frame: 7, a: 1 });
    expect(await storedConf(runTasks.tasks[0]!.id)).toEqual({ frame: 7, a: 1 });
  });

  it('keeps variables nested deep in JSON lists and objects', async () => {
    const { runTasks } = await server.gql<RunResult, { n: number; s: string; o: unknown }>(
      'mutation RunNested($n: Int!, $s: String!, $o: JSON) { runTasks(input: { tasks: [{ name: "y", conf: { list: [$n, { s: $s, deeper: [[$o]] }], n: $n } }] }) { applied tasks { id conf } } }',
      { n: 3, s: 'three', o: { k: [1, null] } },
    );
    const conf = { list: [3, { s: 'three', deeper: [[{ k: [1, null] }]] }], n: 3 };
    expect(runTasks.tasks[0]!.conf).toEqual(conf);
    expect(await storedConf(runTasks.tasks[0]!.id)).toEqual(conf);
  });
});

describe('output', () => {
  it('an operation prints nothing to stdout or stderr (graphql-jit warned on JSON literals)', async () => {
    const printed: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        printed.push(String(chunk));
        return true;
      });
    const spies = [
      capture(process.stdout),
      capture(process.stderr),
      ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' '))),
      ),
    ];
    try {
      // Documents no other test sends: jit warns when it compiles one.
      const literal = await server.request('mutation PrintsNothing { runTasks(input: { tasks: [{ name: "quiet", conf: { a: [1, { b: "c" }] } }] }) { applied } }');
      const variable = await server.request('mutation PrintsNothingVar($v: Int) { runTasks(input: { tasks: [{ name: "quiet", conf: { v: $v } }] }) { applied } }', { v: 1 });
      const read = await server.request('query PrintsNothingRead { tasks(first: 2) { nodes { id conf } } }');
      for (const result of [literal, variable, read]) expect(result.errors).toBeUndefined();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(printed).toEqual([]);
  });
});
