import { isIP } from 'node:net';
import { GraphQLError } from 'graphql';
import type { Executor } from '../db/database.ts';
import type { Viewer } from '../domain/roles.ts';
import type { Logger } from '../log.ts';
import { anyTokenExists, findTokenBySecretHash, hashSecret, secretsEqual, touchApiToken } from './tokens.ts';

/** Everyone, while the server runs open on a loopback address with no token configured. */
export const OPEN_ADMIN: Viewer = Object.freeze({ role: 'ADMIN', tokenName: null, tokenId: null });

/** What `viewer { tokenName }` shows for the token from the environment. */
export const ADMIN_TOKEN_NAME = 'TASKLANE_ADMIN_TOKEN';

/** `last_used_at` is written at most this often per token and instance (a write per request would cost more than the request). */
const TOUCH_INTERVAL_MS = 60_000;
/**
 * How long "no token exists" is trusted before it is read again. A token created anywhere ends open
 * mode at once through its NOTIFY (noteTokenExists), and a reconnect of the LISTEN connection makes
 * the next request read again (recheckTokens); this bounds the window for a token row that arrives
 * with no NOTIFY at all (restored or inserted by hand).
 */
const OPEN_RECHECK_MS = 1_000;

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    // yoga answers 401 from `extensions.http` and strips it from the body.
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
  });
}

/** Whether the server only listens on this machine: 127.0.0.0/8, ::1, ::ffff:127.x or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** The secret of an `Authorization: Bearer <secret>` value; null when there is none; an error when malformed. */
export function bearerSecret(authorization: string | null | undefined): string | null {
  if (authorization == null || authorization.trim() === '') return null;
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization);
  if (!match) throw unauthenticated('The Authorization header must be `Bearer <token>`');
  return match[1]!;
}

/** Where a request comes from, as far as open mode cares: its Host and (from browsers) Origin headers. */
export interface RequestSite {
  host: string | null | undefined;
  origin: string | null | undefined;
}

/**
 * Open mode trusts "this machine", so it must not trust a web page that this machine's browser is
 * showing: a cross-site form POST or WebSocket (which CORS does not stop) would otherwise run as ADMIN.
 * The Host must name a loopback address (which also defeats DNS rebinding, where Host is the attacker's
 * name), and so must the Origin when a browser sends one. Clients without a browser send no Origin.
 */
export function isSameMachineRequest(site: RequestSite | undefined): boolean {
  if (!site) return true;
  const hostOf = (value: string) => value.replace(/:\d+$/, '');
  if (!site.host || !isLoopbackHost(hostOf(site.host))) return false;
  if (site.origin == null || site.origin === '') return true;
  try {
    return isLoopbackHost(new URL(site.origin).hostname);
  } catch {
    return false;
  }
}

/** The site of an operation: from the Fetch request (HTTP, SSE) or the WebSocket upgrade request. */
export function requestSite(initial: { request?: Request; req?: unknown }): RequestSite {
  if (initial.request) return { host: initial.request.headers.get('host'), origin: initial.request.headers.get('origin') };
  const headers = (initial.req as { headers?: Record<string, string | string[] | undefined> } | undefined)?.headers;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return { host: one(headers?.host), origin: one(headers?.origin) };
}

export interface ViewerResolverOptions {
  db: Executor;
  log: Logger;
  host: string;
  adminToken: string | undefined;
}

export interface ViewerResolver {
  /** The caller of one operation, or an UNAUTHENTICATED GraphQL error. */
  resolve(authorization: string | null | undefined, site?: RequestSite): Promise<Viewer>;
  /** Whether the server currently serves everyone as ADMIN (no token anywhere, loopback host). */
  isOpen(): Promise<boolean>;
  /** Another instance (or this one) created a token: leave open mode for good. */
  noteTokenExists(): void;
  /** A token's creation may have gone unheard: read again whether any exists before serving open. */
  recheckTokens(): void;
}

/**
 * Resolves viewers from bearer tokens. Token lookups are NOT cached: every operation reads its token
 * row (one probe of a unique index), so a revocation committed anywhere takes effect on the next
 * operation of every instance, with no window. The fact "some token exists" is remembered for good
 * once it is true (token rows are never deleted: revoked rows stay, so it cannot become false); while
 * it is false (open mode) it is read again at most every OPEN_RECHECK_MS, and a token's creation
 * ends open mode at once (noteTokenExists, from the creating resolver and the tokens channel).
 */
export function createViewerResolver(options: ViewerResolverOptions): ViewerResolver {
  const { db, log, adminToken } = options;
  const openAllowed = adminToken === undefined && isLoopbackHost(options.host);
  let tokensExist = !openAllowed;
  let noTokensReadAt = -Infinity;
  const lastTouched = new Map<string, number>();

  function touch(id: string) {
    const now = Date.now();
    if ((lastTouched.get(id) ?? 0) > now - TOUCH_INTERVAL_MS) return;
    lastTouched.set(id, now);
    touchApiToken(db, id).catch((error: unknown) => log.warn({ err: error }, 'could not record token use'));
  }

  async function isOpen(): Promise<boolean> {
    if (tokensExist) return false;
    if (performance.now() - noTokensReadAt < OPEN_RECHECK_MS) return true;
    const readAt = performance.now();
    if (await anyTokenExists(db)) tokensExist = true;
    else noTokensReadAt = readAt;
    return !tokensExist;
  }

  return {
    isOpen,
    noteTokenExists() {
      tokensExist = true;
    },
    recheckTokens() {
      noTokensReadAt = -Infinity;
    },
    async resolve(authorization, site) {
      const secret = bearerSecret(authorization);
      if (secret === null) {
        if (await isOpen()) {
          if (isSameMachineRequest(site)) return OPEN_ADMIN;
          throw unauthenticated(
            'This server runs without tokens and so serves only clients on this machine: a request from a web page of another site (Origin) or through another host name is refused. Create an API token to serve it.',
          );
        }
        throw unauthenticated('This server requires an API token: send `Authorization: Bearer <token>`');
      }
      // A presented token must be valid even in open mode: a client that believes it has a token
      // should learn that it is wrong rather than silently become ADMIN.
      if (adminToken !== undefined && secretsEqual(secret, adminToken)) {
        return { role: 'ADMIN', tokenName: ADMIN_TOKEN_NAME, tokenId: null };
      }
      const token = await findTokenBySecretHash(db, hashSecret(secret));
      if (!token) throw unauthenticated('Unknown API token');
      if (token.revoked) throw unauthenticated(`The API token "${token.name}" was revoked`);
      tokensExist = true;
      touch(token.id);
      return { role: token.role, tokenName: token.name, tokenId: token.id };
    },
  };
}
