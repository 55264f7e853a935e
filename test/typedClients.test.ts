import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * The README's "Typed clients" section, as a front-end project would use it: its files (each fenced
 * ```ts block starting with a `// <path>` comment) written to an empty project, codegen run there
 * with the project's codegen.ts, the output and a usage file compiled with `tsc --strict`, and the
 * generated documents run by documentId against a server started with the manifest codegen wrote.
 */

const run = promisify(execFile);
const repo = process.cwd();

/** The files of the README's "Typed clients" section, by path. */
function readmeFiles(): Map<string, string> {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Typed clients\n');
  expect(start, 'README.md has a "Typed clients" section').toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const files = new Map<string, string>();
  for (const [, body] of section.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const path = /^\/\/ (\S+)\n/.exec(body!)?.[1];
    if (path) files.set(path, body!);
  }
  return files;
}

// The front-end's own operations, and the types it relies on: a `@ts-expect-error` that no longer
// fails (DateTime or JSON typed `any` or `unknown`, enums widened to string) is itself an error.
const OPERATIONS = `
import { graphql } from './gql';

export const RunTasks = graphql(\`
  mutation ReadmeRunTasks($input: RunTasksInput!) {
    runTasks(input: $input) { applied ids tasks { id name createdAt conf status } }
  }
\`);

export const Task = graphql(\`
  query ReadmeTask($id: ID!) { task(id: $id) { id finishedAt conf status } }
\`);
`;

const TYPE_CHECKS = `
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import type { JsonValue } from './json';
import type { RunTasks, Task } from './operations';

type Created = ResultOf<typeof RunTasks>['runTasks']['tasks'][number];

export function typeChecks(created: Created, task: NonNullable<ResultOf<typeof Task>['task']>) {
  // DateTime is ISO text.
  const createdAt: string = created.createdAt;
  // @ts-expect-error DateTime is not a Date
  const createdDate: Date = created.createdAt;
  const finishedAt: string | null | undefined = task.finishedAt;

  // JSON is a JSON value: assignable to JsonValue, and a function is not one.
  const conf: JsonValue = created.conf;
  // @ts-expect-error a function is not JSON (it would be, were JSON \`any\` or \`unknown\`)
  const notJson: Created['conf'] = () => 1;

  // Enums are string unions.
  const status: Created['status'] = 'QUEUED';
  // @ts-expect-error not a TaskStatus
  const notStatus: Created['status'] = 'DONE';

  // Variables are typed too: conf takes JSON only.
  const variables: VariablesOf<typeof RunTasks> = { input: { tasks: [{ name: 'readme', conf: { frame: 1, tags: ['a'] } }] } };
  // @ts-expect-error a Date is not JSON
  const badVariables: VariablesOf<typeof RunTasks> = { input: { tasks: [{ name: 'readme', conf: { at: new Date() } }] } };
  return [createdAt, createdDate, finishedAt, conf, notJson, status, notStatus, variables, badVariables];
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022', 'DOM'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    isolatedModules: true,
  },
  include: ['src'],
};

let dir: string;
let server: TestServer | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tasklane-frontend-'));
  // An installed front-end project: its dependencies are this repository's.
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  copyFileSync(join(repo, 'schema/schema.graphql'), join(dir, 'tasklane.graphql'));
  for (const [path, body] of readmeFiles()) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  writeFileSync(join(dir, 'src/operations.ts'), OPERATIONS);
  writeFileSync(join(dir, 'src/typeChecks.ts'), TYPE_CHECKS);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  const { TASKLANE_SCHEMA: _unset, ...env } = process.env;
  // What the README says to run: the codegen CLI, in the project, with its codegen.ts.
  await run(process.execPath, [join(repo, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', 'codegen.ts'], { cwd: dir, env });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('README "Typed clients"', () => {
  it('gives the files a front-end copies: codegen.ts, src/json.ts, src/tasklane.ts', () => {
    expect([...readmeFiles().keys()].sort()).toEqual(['codegen.ts', 'src/json.ts', 'src/tasklane.ts']);
    expect(existsSync(join(dir, 'src/gql/graphql.ts'))).toBe(true);
  });

  it('its codegen maps DateTime to string, JSON to a JSON value and enums to unions: tsc --strict agrees', async () => {
    const tsc = await run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(tsc).toBe('');
    // Not vacuous: the scalar mapping is what the generated types say.
    const generated = readFileSync(join(dir, 'src/gql/graphql.ts'), 'utf8');
    expect(generated).toContain("import type { JsonValue } from '../json'");
    expect(generated).toMatch(/createdAt: string/);
  }, 120_000);

  it('its manifest and its documentId helper run the generated documents on a trusted-documents server', async () => {
    const manifest = join(dir, 'src/gql/persisted-documents.json');
    expect(Object.keys(JSON.parse(readFileSync(manifest, 'utf8')) as object)).toHaveLength(2);
    server = await startTestServer({ config: { persistedDocumentsFile: manifest } });
    // The front-end's own modules (typed there; here what the test reads of them).
    type Execute = <TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables) => Promise<TResult>;
    const { tasklane } = (await import(join(dir, 'src/tasklane.ts'))) as { tasklane: (url: string) => Execute };
    const { RunTasks, Task } = (await import(join(dir, 'src/operations.ts'))) as Record<'RunTasks' | 'Task', TypedDocumentNode<any, any>>;
    const execute = tasklane(server.url);
    const { runTasks } = await execute(RunTasks, { input: { tasks: [{ name: 'readme', conf: { frame: 1 } }] } });
    expect(runTasks).toMatchObject({ applied: true, tasks: [{ name: 'readme', conf: { frame: 1 }, status: 'QUEUED' }] });
    expect(new Date(runTasks.tasks[0]!.createdAt).getTime()).toBeGreaterThan(0);
    expect(await execute(Task, { id: runTasks.ids[0]! })).toMatchObject({ task: { id: runTasks.ids[0], status: 'QUEUED' } });
    // And the server runs nothing else.
    await expect(execute({ kind: 'Document', definitions: [] } as never, {})).rejects.toThrow(/documentId/);
  }, 60_000);
});
