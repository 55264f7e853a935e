import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/database.ts';
import { newId } from '../domain/ids.ts';
import { badInput, LIMITS } from '../domain/limits.ts';
import type { Role } from '../domain/roles.ts';
import { uuidArray } from '../sql/params.ts';

/** Revocations (and creations) are announced here so every instance reacts at once. */
export const TOKENS_CHANNEL = 'tasklane_tokens';

/** Secrets look like `tl_<43 base64url chars>`: 256 random bits, recognisable in a leaked config. */
const SECRET_PREFIX = 'tl_';

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Only the sha256 of a secret is stored. The secret has 256 bits of entropy, so a plain (unsalted,
 * fast) hash is enough: there is nothing to brute-force, and a unique index on the hash makes the
 * lookup one index probe.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two secrets (through their hashes, so lengths never leak). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(hashSecret(a), 'hex'), Buffer.from(hashSecret(b), 'hex'));
}

/** Token names are shown in `viewer`, logs and the CLI: printable, no control characters. */
export function checkTokenName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw badInput('A token name must not be empty', { field: 'name' });
  if (trimmed.length > LIMITS.maxNameLength) {
    throw badInput(`A token name is at most ${LIMITS.maxNameLength} characters`, { field: 'name', limit: 'maxNameLength' });
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) throw badInput('A token name must not contain control characters', { field: 'name' });
  return trimmed;
}

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface TokenMatch {
  id: string;
  name: string;
  role: Role;
  revoked: boolean;
}

/** findTokenBySecretHash: the token a presented secret belongs to (revoked ones too), or null. */
export async function findTokenBySecretHash(ex: Executor, secretHash: string): Promise<TokenMatch | null> {
  const rows = await queryRows<{ id: string; name: string; role: Role; revoked: boolean }>(
    ex,
    sql`/* findTokenBySecretHash */
      SELECT id::text AS id, name, role, (revoked_at IS NOT NULL) AS revoked
      FROM api_tokens WHERE secret_hash = ${secretHash}`,
  );
  return rows[0] ?? null;
}

/**
 * anyTokenExists: whether any token row exists, revoked ones included — revoking every token must
 * never switch a server back to "open" mode.
 */
export async function anyTokenExists(ex: Executor): Promise<boolean> {
  const rows = await queryRows<{ exists: boolean }>(ex, sql`/* anyTokenExists */ SELECT EXISTS (SELECT 1 FROM api_tokens) AS "exists"`);
  return rows[0]?.exists === true;
}

export class TokenNameTaken extends Error {
  constructor(readonly tokenName: string) {
    super(`A token named "${tokenName}" already exists; revoke it first or choose another name`);
  }
}

/**
 * insertApiToken: stores a new token and returns its secret (the only time it exists in clear).
 * The name of a revoked token may be reused: the revoked row is replaced (new id, new hash), so its
 * old secret stays unknown. An active token's name is refused.
 */
export async function insertApiToken(ex: Executor, input: { name: string; role: Role }): Promise<{ id: string; secret: string }> {
  const secret = generateSecret();
  const id = newId();
  const rows = await queryRows<{ id: string }>(
    ex,
    sql`/* insertApiToken */
      INSERT INTO api_tokens (id, name, role, secret_hash)
      VALUES (${id}, ${input.name}, ${input.role}, ${hashSecret(secret)})
      ON CONFLICT (name) DO UPDATE
        SET id = excluded.id, role = excluded.role, secret_hash = excluded.secret_hash,
            created_at = now(), revoked_at = NULL, last_used_at = NULL
        WHERE api_tokens.revoked_at IS NOT NULL
      RETURNING id::text AS id`,
  );
  if (!rows[0]) throw new TokenNameTaken(input.name);
  await ex.execute(sql`SELECT pg_notify(${TOKENS_CHANNEL}, ${`created:${id}`})`);
  return { id, secret };
}

/**
 * revokeApiToken: marks the named token revoked and announces it (subscriptions opened with it end
 * on every instance). Returns false when no active token has that name.
 */
export async function revokeApiToken(ex: Executor, name: string): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    ex,
    sql`/* revokeApiToken */
      UPDATE api_tokens SET revoked_at = now()
      WHERE name = ${name} AND revoked_at IS NULL
      RETURNING id::text AS id`,
  );
  const id = rows[0]?.id;
  if (!id) return false;
  await ex.execute(sql`SELECT pg_notify(${TOKENS_CHANNEL}, ${`revoked:${id}`})`);
  return true;
}

/** listApiTokens: every token, newest first, without secrets (only hashes are stored anyway). */
export async function listApiTokens(ex: Executor): Promise<ApiTokenRecord[]> {
  return queryRows<ApiTokenRecord>(
    ex,
    sql`/* listApiTokens */
      SELECT id::text AS id, name, role,
             to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt",
             to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "revokedAt",
             to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "lastUsedAt"
      FROM api_tokens ORDER BY created_at DESC, name`,
  );
}

/** activeTokenIds: which of these token ids are still valid (the safety re-check of open subscriptions). */
export async function activeTokenIds(ex: Executor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await queryRows<{ id: string }>(
    ex,
    sql`/* activeTokenIds */
      SELECT id::text AS id FROM api_tokens
      WHERE id = ANY(${uuidArray(ids)}) AND revoked_at IS NULL`,
  );
  return new Set(rows.map((r) => r.id));
}

/** touchApiToken: records use (throttled by the caller, never on the request's critical path). */
export async function touchApiToken(ex: Executor, id: string): Promise<void> {
  await ex.execute(sql`/* touchApiToken */ UPDATE api_tokens SET last_used_at = now() WHERE id = ${id}`);
}
