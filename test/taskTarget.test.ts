import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget } from '../src/commands/taskCommands.ts';
import { graphql } from '../src/gql/index.ts';
import { printSortedSchema } from '../src/schema/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { runTasks, status } from './support/workerOps.ts';

/**
 * TaskTarget is @oneOf: a target with no field, two fields or a null field is refused before
 * anything runs, inline or through variables, with a message that names TaskTarget.
 */

const IntrospectTarget = graphql(`
  query TaskTargetIntrospection {
    __type(name: "TaskTarget") { isOneOf }
  }
`);

const CancelByIds = graphql(`
  mutation TaskTargetMember($ids: [ID!]!) {
    cancelTasks(input: { target: { ids: $ids } }) { applied ids }
  }
`);

const CANCEL_INPUT = 'mutation TaskTargetInput($input: TaskCommandInput!) { cancelTasks(input: $input) { applied ids } }';
const CANCEL_TARGET = 'mutation TaskTargetVariable($target: TaskTarget!) { cancelTasks(input: { target: $target }) { applied ids } }';
const cancelInline = (target: string) => `mutation TaskTargetInline { cancelTasks(input: { target: ${target} }) { applied ids } }`;

let server: TestServer;
let taskId: string;
beforeAll(async () => {
  server = await startTestServer();
  taskId = (await runTasks(server, [{ name: 'target-probe' }]))[0]!;
});
afterAll(async () => {
  await server?.stop();
});

/** The response's only error message; the operation must not have run. */
async function refusal(document: string, variables?: Record<string, unknown>): Promise<string> {
  const response = await server.request(document, variables);
  expect(response.data ?? null).toBeNull();
  expect(response.errors).toHaveLength(1);
  return response.errors![0]!.message;
}

describe('TaskTarget is @oneOf', () => {
  it('says so in introspection and in the printed SDL', async () => {
    const { __type } = await server.gql(IntrospectTarget);
    expect(__type).toEqual({ isOneOf: true });
    expect(printSortedSchema()).toContain('input TaskTarget @oneOf {');
  });

  it('refuses no field, two fields and a null field given inline, naming TaskTarget', async () => {
    expect(await refusal(cancelInline('{}'))).toBe('OneOf Input Object "TaskTarget" must specify exactly one key.');
    expect(await refusal(cancelInline(`{ ids: ["${taskId}"], thread: "x" }`))).toBe(
      'OneOf Input Object "TaskTarget" must specify exactly one key.',
    );
    expect(await refusal(cancelInline('{ ids: null }'))).toBe('Field "TaskTarget.ids" must be non-null.');
    expect((await status(server, taskId))!.status).toBe('QUEUED');
  });

  it('refuses no field and two fields given through variables, naming TaskTarget', async () => {
    for (const [document, wrap] of [
      [CANCEL_INPUT, (target: unknown) => ({ input: { target } })],
      [CANCEL_TARGET, (target: unknown) => ({ target })],
    ] as const) {
      expect(await refusal(document, wrap({}))).toMatch(/got invalid value \{\}.*; Exactly one key must be specified for OneOf type "TaskTarget"\.$/);
      expect(await refusal(document, wrap({ ids: [taskId], thread: 'x' }))).toMatch(
        /; Exactly one key must be specified for OneOf type "TaskTarget"\.$/,
      );
    }
    expect((await status(server, taskId))!.status).toBe('QUEUED');
  });

  it('refuses a null field given through variables, naming where it is', async () => {
    // graphql-js 16 names the path of the null field here, not the type.
    expect(await refusal(CANCEL_INPUT, { input: { target: { ids: null } } })).toBe(
      'Variable "$input" got invalid value null at "input.target.ids"; Field "ids" must be non-null.',
    );
    expect(await refusal(CANCEL_TARGET, { target: { thread: null } })).toBe(
      'Variable "$target" got invalid value null at "target.thread"; Field "thread" must be non-null.',
    );
  });

  it('refuses a nullable variable as its field, whatever its value, naming TaskTarget', async () => {
    const document =
      'mutation TaskTargetNullableMember($ids: [ID!]) { cancelTasks(input: { target: { ids: $ids } }) { applied ids } }';
    const message = 'Variable "$ids" is of type "[ID!]" but must be non-nullable to be used for OneOf Input Object "TaskTarget".';
    for (const ids of [null, undefined, [taskId]]) expect(await refusal(document, { ids })).toBe(message);
    // A non-null variable is the way to pass the field.
    const { cancelTasks } = await server.gql(CancelByIds, { ids: [taskId] });
    expect(cancelTasks).toEqual({ applied: true, ids: [taskId] });
  });

  it('keeps its own check for callers that skip GraphQL validation', () => {
    const message = 'target: TaskTarget is @oneOf: give exactly one of ids, refIds, job or thread, not null';
    expect(() => resolveTarget({})).toThrow(message);
    expect(() => resolveTarget({ ids: null })).toThrow(message);
    expect(() => resolveTarget({ ids: [], thread: 'x' })).toThrow(`${message}, not ids and thread`);
    expect(resolveTarget({ thread: 'x' })).toEqual({ kind: 'thread', thread: 'x' });
  });
});
