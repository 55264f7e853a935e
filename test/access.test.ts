import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/domain/roles.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { operationFor, rootFields, stateFingerprint, type RootField, type Targets } from './support/schemaOperations.ts';
import { sseSubscribe, wsClient, wsSubscribe, type Stream } from './support/subscriptions.ts';

/**
 * The access matrix of DESIGN.md "Access": every root field of the schema (enumerated, so new fields
 * are covered) × every role × no token / bad token / revoked token, over HTTP, WebSocket and SSE.
 * Refused = a FORBIDDEN or UNAUTHENTICATED error and no state change; allowed = no auth error.
 */

type Scope = 'viewer' | 'worker' | 'operator' | 'admin';

const WORKER_MUTATIONS = new Set(['claimTasks', 'heartbeat', 'concludeTask', 'concludeTasks']);
const ADMIN_MUTATIONS = new Set(['cleanTasks', 'destroyTasks', 'createApiToken', 'revokeApiToken']);

/** The scope DESIGN.md gives a root field: reads and subscriptions are open to every role; mutations per family. */
function expectedScope(root: RootField): Scope {
  if (root.kind !== 'mutation') return 'viewer';
  if (WORKER_MUTATIONS.has(root.name)) return 'worker';
  if (ADMIN_MUTATIONS.has(root.name)) return 'admin';
  return 'operator';
}

const ROLES: Role[] = ['VIEWER', 'WORKER', 'OPERATOR', 'ADMIN'];

function roleMayUse(role: Role, scope: Scope): boolean {
  if (role === 'ADMIN') return true;
  if (scope === 'viewer') return true;
  return scope === role.toLowerCase();
}

type Credential = { label: string; token: string | null; role: Role | null };

const AUTH_CODES = new Set(['FORBIDDEN', 'UNAUTHENTICATED']);

function authCodes(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): string[] {
  return (errors ?? []).map((e) => String(e.extensions?.code)).filter((c) => AUTH_CODES.has(c));
}

let server: TestServer;
const tokens = {} as Record<Role, string>;
let revokedToken: string;
let credentials: Credential[];

async function createToken(name: string, role: Role, adminToken?: string): Promise<string> {
  const data = await server.gql<{ createApiToken: { token: string } }, unknown>(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token name role } }`,
    { input: { name, role } },
    adminToken ? { token: adminToken } : {},
  );
  return data.createApiToken.token;
}

/** A fresh job of three QUEUED tasks (in a thread) for one field's row of the matrix. */
async function seedTargets(n: number): Promise<Targets> {
  const data = await server.gql<{ submitJob: { job: { id: string }; tasks: { id: string }[] } }, unknown>(
    `mutation($input: SubmitJobInput!) { submitJob(input: $input) { job { id } tasks { id } } }`,
    { input: { name: `matrix-${n}`, tasks: [{ name: 'm', thread: `lane-${n}` }, { name: 'm' }, { name: 'm' }] } },
    { token: tokens.ADMIN },
  );
  const victim = `victim-${n}`;
  await createToken(victim, 'VIEWER', tokens.ADMIN);
  return { taskId: data.submitJob.tasks[0]!.id, jobId: data.submitJob.job.id, thread: `lane-${n}`, tokenName: victim };
}

beforeAll(async () => {
  server = await startTestServer();
  // Open mode (no token yet, loopback): the first token is created without one.
  tokens.ADMIN = await createToken('matrix-admin', 'ADMIN');
  for (const role of ['VIEWER', 'WORKER', 'OPERATOR'] as const) tokens[role] = await createToken(`matrix-${role.toLowerCase()}`, role, tokens.ADMIN);
  revokedToken = await createToken('matrix-revoked', 'ADMIN', tokens.ADMIN);
  await server.gql(`mutation { revokeApiToken(name: "matrix-revoked") }`, {}, { token: tokens.ADMIN });
  credentials = [
    { label: 'no token', token: null, role: null },
    { label: 'bad token', token: 'tl_not-a-real-token-0000000000000000000000000', role: null },
    { label: 'revoked token', token: revokedToken, role: null },
    ...ROLES.map((role) => ({ label: role, token: tokens[role], role })),
  ];
});

afterAll(async () => {
  await server?.stop();
});

describe('the schema', () => {
  it('has the root fields the design lists, each with the expected scope', () => {
    const names = rootFields().map((r) => `${r.kind}.${r.name}`);
    for (const name of ['mutation.createApiToken', 'mutation.revokeApiToken', 'query.viewer', 'mutation.runTasks']) {
      expect(names).toContain(name);
    }
  });
});

describe('queries and mutations over HTTP', () => {
  const operations = rootFields().filter((r) => r.kind !== 'subscription');
  it.each(operations.map((r) => [`${r.kind} ${r.name}`, r] as const))('%s: every credential', async (_label, root) => {
    const targets = await seedTargets(operations.indexOf(root));
    const scope = expectedScope(root);
    const { query, variables } = operationFor(root, targets);
    // ADMIN last: its (allowed) call may change the targets the refused calls must leave alone.
    for (const credential of credentials) {
      const before = await stateFingerprint(server.db.database.db);
      const result = await server.request(query, variables, credential.token ? { token: credential.token } : {});
      const codes = authCodes(result.errors);
      const context = `${root.name} with ${credential.label}: ${JSON.stringify(result.errors)}`;
      if (credential.role === null) {
        expect(codes, context).toEqual(['UNAUTHENTICATED']);
        expect(result.status, context).toBe(401);
      } else if (!roleMayUse(credential.role, scope)) {
        expect(codes, context).toEqual(['FORBIDDEN']);
        expect(result.errors![0]!.message).toContain(credential.role);
      } else {
        expect(codes, context).toEqual([]);
        continue;
      }
      expect(result.data?.[root.name as never] ?? null, context).toBeNull();
      expect(await stateFingerprint(server.db.database.db), `state changed by refused ${context}`).toBe(before);
    }
  });

  it('answers viewer { role tokenName } for each token', async () => {
    for (const role of ROLES) {
      const data = await server.gql<{ viewer: { role: Role; tokenName: string } }, unknown>('{ viewer { role tokenName } }', {}, { token: tokens[role] });
      expect(data.viewer).toEqual({ role, tokenName: `matrix-${role.toLowerCase()}` });
    }
  });

  it('refuses malformed Authorization headers as UNAUTHENTICATED', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', tokens.ADMIN, `Bearer ${tokens.ADMIN} extra`, 'Bearer']) {
      const result = await server.request('{ viewer { role } }', {}, { headers: { authorization: header } });
      expect(authCodes(result.errors), header).toEqual(['UNAUTHENTICATED']);
      expect(result.status).toBe(401);
    }
    // The scheme is case-insensitive, as HTTP says.
    const ok = await server.request('{ viewer { role } }', {}, { headers: { authorization: `bearer ${tokens.VIEWER}` } });
    expect(ok.data).toEqual({ viewer: { role: 'VIEWER' } });
  });
});

describe('queries and mutations over WebSocket', () => {
  const operations = rootFields().filter((r) => r.kind !== 'subscription');
  const clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
  });

  async function execute(client: Client, query: string, variables: Record<string, unknown>) {
    const stream = wsSubscribe(client, query, variables);
    return stream.next(15_000);
  }

  it.each(ROLES.map((r) => [r]))('role %s: allowed or FORBIDDEN per field', async (role) => {
    const client = wsClient(server.wsUrl, { authorization: `Bearer ${tokens[role]}` });
    clients.push(client);
    for (const root of operations) {
      const targets = await seedTargets(1000 + ROLES.indexOf(role) * 100 + operations.indexOf(root));
      const { query, variables } = operationFor(root, targets);
      const before = await stateFingerprint(server.db.database.db);
      const result = await execute(client, query, variables);
      const codes = authCodes(result.errors as never);
      if (roleMayUse(role, expectedScope(root))) {
        expect(codes, `${root.name} as ${role}`).toEqual([]);
      } else {
        expect(codes, `${root.name} as ${role}`).toEqual(['FORBIDDEN']);
        expect(await stateFingerprint(server.db.database.db)).toBe(before);
      }
    }
  });

  const badCredentials: [string, () => Record<string, string> | undefined][] = [
    ['no token', () => undefined],
    ['bad token', () => ({ authorization: 'Bearer tl_wrong' })],
    ['revoked token', () => ({ authorization: `Bearer ${revokedToken}` })],
  ];
  it.each(badCredentials)('closes the connection with 4403 on %s', async (_label, params) => {
    const client = wsClient(server.wsUrl, params());
    clients.push(client);
    const stream = wsSubscribe(client, '{ viewer { role } }');
    await stream.waitDone();
    expect((stream.failure as { code?: number }).code).toBe(4403);
  });
});

describe('subscriptions over SSE and WebSocket', () => {
  const subscriptions = rootFields().filter((r) => r.kind === 'subscription');
  const targets: Targets = { taskId: '00000000-0000-4000-8000-000000000000', jobId: '00000000-0000-4000-8000-000000000001', thread: 'none', tokenName: 'none' };

  it('opens or refuses every subscription for every credential', async () => {
    expect(subscriptions.length).toBeGreaterThan(0);
    const opened: { label: string; stream: Stream; allowed: boolean; code?: string; client?: Client }[] = [];
    for (const root of subscriptions) {
      const { query, variables } = operationFor(root, targets);
      for (const credential of credentials) {
        const allowed = credential.role !== null;
        const headers: Record<string, string> = credential.token ? { authorization: `Bearer ${credential.token}` } : {};
        opened.push({ label: `SSE ${root.name} ${credential.label}`, stream: sseSubscribe(server.url, query, variables, headers), allowed, code: 'UNAUTHENTICATED' });
        if (credential.role !== null) {
          // Bad credentials never get a WebSocket connection at all (4403, tested above).
          const client = wsClient(server.wsUrl, { authorization: `Bearer ${credential.token}` });
          opened.push({ label: `WS ${root.name} ${credential.label}`, stream: wsSubscribe(client, query, variables), allowed, client });
        }
      }
    }
    // Allowed subscriptions stay open and quiet; refused ones answer an error at once.
    // A fixed window: what is checked for the allowed ones is that no refusal comes within it.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const o of opened) {
      if (o.allowed) {
        // Open (events may have arrived meanwhile: allowed means no auth error, not silence).
        while (o.stream.buffered > 0) {
          const item = await o.stream.next(1);
          expect(item.errors, `${o.label}: ${JSON.stringify(item)}`).toBeUndefined();
        }
        expect(o.stream.done, `${o.label} ended: ${JSON.stringify(o.stream.failure)}`).toBe(false);
      } else {
        const result = await o.stream.next(5_000);
        expect(authCodes(result.errors as never), o.label).toEqual([o.code]);
      }
    }
    for (const o of opened) await o.stream.close();
    await Promise.all(opened.map((o) => o.client?.dispose()));
  });
});
