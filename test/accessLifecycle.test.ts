import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { isLoopbackHost } from '../src/auth/viewer.ts';
import { loadConfig } from '../src/config.ts';
import { queryRows } from '../src/db/database.ts';
import { createLogger } from '../src/log.ts';
import { testDatabaseKind } from './support/databaseKind.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { createTestDatabase } from './support/testDatabase.ts';
import { sseSubscribe, wsClient, wsSubscribe } from './support/subscriptions.ts';
import { waitFor } from './support/waitFor.ts';

const ADMIN_ENV_TOKEN = 'env-admin-token-0123456789abcdef';

let server: TestServer;
let admin: string;

async function createToken(name: string, role: string): Promise<string> {
  const data = await server.gql<{ createApiToken: { token: string } }, unknown>(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
    { input: { name, role } },
    { token: admin },
  );
  return data.createApiToken.token;
}

beforeAll(async () => {
  server = await startTestServer();
  const first = await server.gql<{ createApiToken: { token: string; name: string; role: string } }, unknown>(
    `mutation { createApiToken(input: { name: "root", role: ADMIN }) { token name role } }`,
  );
  expect(first.createApiToken).toMatchObject({ name: 'root', role: 'ADMIN' });
  admin = first.createApiToken.token;
});
afterAll(async () => {
  await server?.stop();
});

describe('tokens', () => {
  it('stores only the sha256 of the secret, never the secret', async () => {
    const secret = await createToken('hashed', 'VIEWER');
    expect(secret).toMatch(/^tl_[A-Za-z0-9_-]{43}$/);
    const rows = await queryRows<{ secret_hash: string; row: string }>(
      server.db.database.db,
      sql`SELECT secret_hash, api_tokens::text AS row FROM api_tokens WHERE name = 'hashed'`,
    );
    expect(rows[0]!.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(rows[0]!.row).not.toContain(secret.slice(3));
  });

  it('leaves open mode for good once a token exists: no token is UNAUTHENTICATED', async () => {
    const result = await server.request('{ viewer { role } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a second active token of the same name, and reuses the name of a revoked one', async () => {
    await createToken('dup', 'VIEWER');
    const again = await server.request(`mutation { createApiToken(input: { name: "dup", role: ADMIN }) { token } }`, {}, { token: admin });
    expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.message).toContain('already exists');
    const old = await createToken('reuse', 'VIEWER');
    await server.gql(`mutation { revokeApiToken(name: "reuse") }`, {}, { token: admin });
    const fresh = await createToken('reuse', 'OPERATOR');
    expect((await server.request('{ viewer { role } }', {}, { token: old })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await server.gql<{ viewer: { role: string } }, unknown>('{ viewer { role } }', {}, { token: fresh })).viewer.role).toBe('OPERATOR');
  });

  it('validates token names: empty, too long, control characters', async () => {
    for (const name of ['  ', 'x'.repeat(201), 'bad\u0000name', 'tab\tname']) {
      const result = await server.request(`mutation($n: String!) { createApiToken(input: { name: $n, role: VIEWER }) { token } }`, { n: name }, { token: admin });
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(name)).toBe('BAD_USER_INPUT');
    }
  });

  it('answers false when revoking an unknown or already revoked token', async () => {
    expect(await server.gql(`mutation { revokeApiToken(name: "never-existed") }`, {}, { token: admin })).toEqual({ revokeApiToken: false });
  });

  it('stops a revoked token at once: the next request is UNAUTHENTICATED', async () => {
    const token = await createToken('short-lived', 'OPERATOR');
    expect((await server.request('{ viewer { role } }', {}, { token })).errors).toBeUndefined();
    await server.gql(`mutation { revokeApiToken(name: "short-lived") }`, {}, { token: admin });
    const after = await server.request('{ viewer { role } }', {}, { token });
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(after.errors?.[0]?.message).toContain('revoked');
  });

  it('revoking every token never reopens the server', async () => {
    // Revoked rows stay, so "no token exists" stays false (here: root stays too, but the rule is the row count).
    const result = await server.request('{ viewer { role } }');
    expect(result.status).toBe(401);
  });
});

describe('revocation of open subscriptions', () => {
  const TaskEvents = 'subscription { taskEvents { cursor } }';

  it('ends WebSocket and SSE subscriptions of a revoked token with UNAUTHENTICATED, and only those', async () => {
    const doomed = await createToken('doomed', 'VIEWER');
    const survivor = await createToken('survivor', 'VIEWER');
    const doomedWs = wsClient(server.wsUrl, { authorization: `Bearer ${doomed}` });
    const survivorWs = wsClient(server.wsUrl, { authorization: `Bearer ${survivor}` });
    const streams = {
      ws: wsSubscribe(doomedWs, TaskEvents),
      sse: sseSubscribe(server.url, TaskEvents, {}, { authorization: `Bearer ${doomed}` }),
      other: wsSubscribe(survivorWs, TaskEvents),
    };
    await waitFor(() => server.app.services.events.listenerCount(), (n) => n >= 3, 5_000, 'three subscriptions');
    await server.gql(`mutation { revokeApiToken(name: "doomed") }`, {}, { token: admin });
    for (const stream of [streams.ws, streams.sse]) {
      const last = await stream.next(5_000);
      expect(last.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await stream.waitDone(5_000);
    }
    expect(streams.other.done).toBe(false);
    // The client (lazy) reconnects for its next operation; connection_init with the revoked token gets 4403.
    const retry = wsSubscribe(doomedWs, '{ viewer { role } }');
    await retry.waitDone(5_000);
    expect((retry.failure as { code?: number }).code).toBe(4403);
    await streams.other.close();
    await doomedWs.dispose();
    await survivorWs.dispose();
    await waitFor(() => server.app.services.events.listenerCount(), (n) => n === 0, 5_000, 'feeds to be released');
  });

  it('ends a long-polling claimTasks of a revoked worker token at once, handing it nothing', async () => {
    const token = await createToken('waiting-worker', 'WORKER');
    const started = Date.now();
    const claim = server.request<{ claimTasks: { tasks: { id: string }[] } }, unknown>(
      'mutation { claimTasks(input: { worker: "revoked-worker", names: ["never-submitted"], waitMs: 20000 }) { tasks { id } } }',
      {},
      { token },
    );
    await waitFor(() => server.app.services.claims.waiting, (n) => n === 1, 5_000, 'the claim to wait');
    await server.gql(`mutation { revokeApiToken(name: "waiting-worker") }`, {}, { token: admin });
    // A task it could have claimed arrives right after the revocation.
    await server.gql(`mutation { runTasks(input: { tasks: [{ name: "never-submitted" }] }) { ids } }`, {}, { token: admin });
    const result = await claim;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.data?.claimTasks.tasks ?? []).toEqual([]);
    const queued = await server.gql<{ tasks: { totalCount: number } }, unknown>(
      '{ tasks(filter: { name: "never-submitted", status: [QUEUED] }) { totalCount } }',
      {},
      { token: admin },
    );
    expect(queued.tasks.totalCount).toBe(1);
  });

  it('reaches subscriptions on another instance sharing the database', async () => {
    const other = await startTestServer({ db: server.db });
    try {
      const token = await createToken('elsewhere', 'WORKER');
      const client = wsClient(other.wsUrl, { authorization: `Bearer ${token}` });
      const stream = wsSubscribe(client, TaskEvents);
      await waitFor(() => other.app.services.events.listenerCount(), (n) => n === 1, 5_000, 'the subscription');
      await server.gql(`mutation { revokeApiToken(name: "elsewhere") }`, {}, { token: admin });
      const last = await stream.next(5_000);
      expect(last.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await client.dispose();
    } finally {
      await other.stop();
    }
  });
});

describe('start-up', () => {
  it('recognises loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '128.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('refuses a non-loopback HOST without any token, saying what to do', async () => {
    const db = await createTestDatabase();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }));
    const app = await buildApp({ config: loadConfig({ PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'silent' }), database: db.database, logger });
    try {
      await expect(app.start()).rejects.toThrow(/TASKLANE_ADMIN_TOKEN.*npm run token -- create/s);
      expect(lines.join('')).toContain('Refusing to listen on HOST=0.0.0.0');
    } finally {
      await app.stop();
      await db.drop();
    }
  });

  it('starts on a non-loopback HOST with TASKLANE_ADMIN_TOKEN, which acts as an ADMIN token', async () => {
    const db = await createTestDatabase();
    const config = loadConfig({ PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'silent', TASKLANE_ADMIN_TOKEN: ADMIN_ENV_TOKEN });
    const app = await buildApp({ config, database: db.database, logger: createLogger('silent') });
    try {
      const { port } = await app.start();
      const ask = (headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query: '{ viewer { role tokenName } }' }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] } }));
      expect((await ask({ authorization: `Bearer ${ADMIN_ENV_TOKEN}` })).body.data).toEqual({ viewer: { role: 'ADMIN', tokenName: 'TASKLANE_ADMIN_TOKEN' } });
      const anonymous = await ask({});
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      await app.stop();
      await db.drop();
    }
  });

  it('starts on a non-loopback HOST once a token row exists', async () => {
    const db = await createTestDatabase();
    const { insertApiToken } = await import('../src/auth/tokens.ts');
    await insertApiToken(db.database.db, { name: 'first', role: 'ADMIN' });
    const app = await buildApp({ config: loadConfig({ PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'silent' }), database: db.database });
    try {
      await expect(app.start()).resolves.toMatchObject({ port: expect.any(Number) });
    } finally {
      await app.stop();
      await db.drop();
    }
  });

  it('logs open mode clearly on a loopback HOST without tokens', async () => {
    const db = await createTestDatabase();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }));
    const app = await buildApp({ config: loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), database: db.database, logger });
    try {
      await app.start();
      expect(lines.join('')).toContain('OPEN MODE');
    } finally {
      await app.stop();
      await db.drop();
    }
  });
});

describe('secrets in logs', () => {
  it('never writes a token secret or an Authorization header to the log, even at trace level', async () => {
    // The real entry point in a child process, so the test sees exactly what the server writes.
    const child = spawn('node_modules/.bin/tsx', ['src/main.ts'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'trace', TASKLANE_DATA_DIR: 'memory://', TASKLANE_ADMIN_TOKEN: ADMIN_ENV_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    try {
      // A child process that compiles the server with tsx and starts PGlite: 12-20 s on two busy cores.
      await waitFor(() => output.includes('Tasklane is listening'), (seen) => seen, 120_000, 'the server to listen');
      const url = /"url":"([^"]+)"/.exec(output)![1]!;
      const post = (query: string, token?: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query }),
        }).then((r) => r.json() as Promise<{ data?: { createApiToken?: { token: string } } }>);
      const created = await post('mutation { createApiToken(input: { name: "logged", role: ADMIN }) { token } }', ADMIN_ENV_TOKEN);
      const secret = created.data!.createApiToken!.token;
      await post('{ viewer { role } }', secret);
      await post('{ viewer { role } }', `${secret}x`); // a wrong secret is not logged either
      await post('mutation { revokeApiToken(name: "logged") }', ADMIN_ENV_TOKEN);
      await waitFor(() => output.includes('API token revoked'), (seen) => seen, 5_000, 'the revocation log line');
      expect(output).toContain('API token created');
      expect(output).not.toContain(ADMIN_ENV_TOKEN);
      expect(output).not.toContain(secret.slice(3));
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 180_000);
});

describe('the token CLI', () => {
  // PGlite: one process owns the database; the CLI is exercised on Postgres.
  it.skipIf(testDatabaseKind().kind !== 'postgres')('creates (printing the secret once), lists and revokes tokens in the database the server uses (Postgres only: a PGlite database belongs to one process)', async () => {
    const run = (args: string[]) =>
      promisify(execFile)('node_modules/.bin/tsx', ['src/cli/token.ts', ...args], {
        env: { ...process.env, DATABASE_URL: server.db.url },
      });
    const created = await run(['create', '--name', 'from-cli', '--role', 'worker']);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^tl_/);
    expect((await server.gql<{ viewer: { role: string } }, unknown>('{ viewer { role tokenName } }', {}, { token: secret })).viewer).toEqual({
      role: 'WORKER',
      tokenName: 'from-cli',
    });
    const list = await run(['list']);
    expect(list.stdout).toMatch(/from-cli\tWORKER\tactive/);
    expect(list.stdout).not.toContain(secret);
    await run(['revoke', '--name', 'from-cli']);
    expect((await server.request('{ viewer { role } }', {}, { token: secret })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await expect(run(['create', '--name', 'x', '--role', 'KING'])).rejects.toMatchObject({ code: 2 });
  }, 180_000);
});

describe('open mode ends when a token appears', () => {
  let open: TestServer;

  beforeAll(async () => {
    open = await startTestServer();
  });

  afterAll(async () => {
    await open?.stop();
  });

  it('on the next request after a token row arrived without its notification, once a reconnect asks for a fresh read', async () => {
    expect((await open.gql<{ viewer: { role: string } }, unknown>('{ viewer { role } }')).viewer.role).toBe('ADMIN');
    // A row with no NOTIFY (restored from a backup, inserted by hand): trusted "no token" for at most a
    // second, or until the tokens LISTEN connection reconnects, which asks for a fresh read.
    await open.db.database.db.execute(
      sql`INSERT INTO api_tokens (id, name, role, secret_hash) VALUES (gen_random_uuid(), 'restored', 'VIEWER', ${'0'.repeat(64)})`,
    );
    open.app.services.viewers.recheckTokens();
    expect((await open.request('{ viewer { role } }')).status).toBe(401);
  });

  it('never serves open again on an instance that created the first token itself', async () => {
    const fresh = await startTestServer();
    try {
      await fresh.gql(`mutation { createApiToken(input: { name: "first", role: ADMIN }) { token } }`);
      expect((await fresh.request('{ viewer { role } }')).status).toBe(401);
    } finally {
      await fresh.stop();
    }
  });
});
