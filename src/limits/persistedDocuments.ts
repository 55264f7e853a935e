import { readFileSync } from 'node:fs';
import { GraphQLError, parse } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { GraphQLParams, OnParamsEventPayload, Plugin } from 'graphql-yoga';
import { createInMemoryAPQStore, useAPQ, type APQStore } from '@graphql-yoga/plugin-apq';
import { defaultExtractPersistedOperationId, usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { LIMITS } from '../domain/limits.ts';
import { refusedBeforeExecution } from './refusal.ts';

/** documentId → document text: the manifest GraphQL Code Generator's client preset writes. */
export type PersistedDocumentManifest = ReadonlyMap<string, string>;

/**
 * Reads the manifest (`persistedDocuments: true` in the client preset writes it as
 * `persisted-documents.json`: a JSON object of `"sha256:<hex>": "<document text>"`). Anything wrong
 * with the file stops the start: a server that silently ran with no documents, or with half of them,
 * would refuse its own clients.
 */
export function loadPersistedDocuments(file: string): PersistedDocumentManifest {
  const problem = (what: string) =>
    new Error(
      `TASKLANE_PERSISTED_DOCUMENTS=${file}: ${what}. It must be the persisted-documents.json that GraphQL Code Generator's ` +
        'client preset writes with `presetConfig: { persistedDocuments: true }` (an object of documentId → document text).',
    );
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw problem(`the file cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw problem(`the file is not JSON (${(error as Error).message})`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) throw problem('the file is not a JSON object');
  const documents = new Map<string, string>();
  for (const [documentId, document] of Object.entries(manifest)) {
    if (typeof document !== 'string') throw problem(`the entry ${JSON.stringify(documentId)} is not a document text`);
    try {
      parse(document);
    } catch (error) {
      throw problem(`the document ${JSON.stringify(documentId)} does not parse (${(error as Error).message})`);
    }
    documents.set(documentId, document);
  }
  if (documents.size === 0) throw problem('it holds no documents (codegen found none?)');
  return documents;
}

/** How the server admits documents, the same on every transport. */
export interface DocumentAdmission {
  /** For yoga (HTTP and SSE); they resolve the request's document in onParams, so they go first. */
  plugins: Plugin[];
  /**
   * For transports whose operations do not pass yoga's onParams (graphql-ws, graphql-sse at
   * /graphql/stream): the parameters as the pipeline is to see them (a documentId resolved to the
   * manifest's text), or a GraphQLError refusing them, the same as over HTTP.
   */
  resolveParams(params: SubscribePayload): Promise<SubscribePayload>;
}

/**
 * With a manifest: trusted documents only (run by documentId, nothing else). Without one: Apollo's
 * automatic persisted queries, with a bounded store.
 */
export function documentAdmission(manifest: PersistedDocumentManifest | null): DocumentAdmission {
  if (manifest === null) {
    // Clients of graphql-ws and /graphql/stream send the text (Apollo's link does APQ over HTTP
    // only): nothing to resolve.
    return { plugins: [useAPQ({ store: boundedApqStore() })], resolveParams: async (params) => params };
  }
  const persisted = usePersistedOperations<Record<string, unknown>>({
    allowArbitraryOperations: false,
    extractPersistedOperationId: documentIdOf,
    getPersistedOperation: (documentId) => manifest.get(documentId) ?? null,
    customErrors: {
      persistedQueryOnly: () => refusal(SEND_DOCUMENT_ID, 'PERSISTED_DOCUMENT_REQUIRED', 400),
      keyNotFound: () => refusal(SEND_DOCUMENT_ID, 'PERSISTED_DOCUMENT_REQUIRED', 400),
      notFound: ({ params, request }) =>
        refusal(
          `Unknown documentId ${JSON.stringify(documentIdOf(params, request))}: this server runs only the documents of its ` +
            'manifest (TASKLANE_PERSISTED_DOCUMENTS). Regenerate the manifest with the client that sends it, and restart the server with it.',
          'PERSISTED_DOCUMENT_NOT_FOUND',
          404,
        ),
    },
  }) as Plugin;
  return {
    plugins: [persisted, onlyManifestDocuments(manifest)],
    async resolveParams(params) {
      let resolved = params;
      // The plugin's own hook, so that graphql-ws admits exactly what HTTP and SSE admit: one rule set.
      // What it sets is the manifest's text and the request's operationName, variables and extensions.
      const payload = { params, request: undefined, context: {}, setParams: (next: GraphQLParams) => (resolved = next as SubscribePayload) };
      await persisted.onParams!(payload as unknown as OnParamsEventPayload<Record<string, unknown>>);
      return resolved;
    },
  };
}

const SEND_DOCUMENT_ID =
  'This server runs only trusted documents (TASKLANE_PERSISTED_DOCUMENTS): send the `documentId` of a document of its manifest ' +
  '(GraphQL Code Generator puts it in the generated document as `__meta__.hash`) instead of the document text.';

/** Refused before anything runs (src/limits/refusal.ts); an unknown documentId is a 404 rather than a 400. */
function refusal(message: string, code: string, status: 400 | 404): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { ...refusedBeforeExecution(), status } } });
}

/**
 * The documentId of a request: the `documentId` parameter (GraphQL over HTTP's trusted documents;
 * in a POST body, a GET query string or a graphql-ws / SSE payload), else Apollo's
 * `extensions.persistedQuery.sha256Hash` (a bare hex hash is the manifest's `sha256:<hex>`).
 */
function documentIdOf(params: GraphQLParams, request: Request | undefined): string | null {
  const { documentId } = params as { documentId?: unknown };
  if (typeof documentId === 'string' && documentId !== '') return documentId;
  // yoga's GET parser keeps only the four standard parameters.
  if (request?.method === 'GET') {
    const fromUrl = new URL(request.url).searchParams.get('documentId');
    if (fromUrl) return fromUrl;
  }
  const hash = defaultExtractPersistedOperationId(params, request as Request, {});
  if (hash === null) return null;
  return hash.includes(':') ? hash : `sha256:${hash}`;
}

/**
 * Parses nothing but the manifest's documents: the plugin above and `resolveParams` admit documents
 * by id before parsing; this holds should a path ever call yoga's pipeline with neither.
 */
function onlyManifestDocuments(manifest: PersistedDocumentManifest): Plugin {
  const texts = new Set(manifest.values());
  return {
    onParse({ params: { source } }) {
      if (!texts.has(typeof source === 'string' ? source : source.body)) {
        throw refusal(SEND_DOCUMENT_ID, 'PERSISTED_DOCUMENT_REQUIRED', 400);
      }
    },
  };
}

/**
 * At most LIMITS.maxApqQueries texts for LIMITS.apqTtlMs each. A text over LIMITS.maxApqQueryLength
 * runs (its request carried it) but is not kept: the store holds at most max × length characters,
 * whatever clients register. What a stored text may do is decided when it runs, by the operation
 * limits, like any other text.
 */
function boundedApqStore(): APQStore {
  const store = createInMemoryAPQStore({ max: LIMITS.maxApqQueries, ttl: LIMITS.apqTtlMs });
  return {
    get: (hash) => store.get(hash),
    set: (hash, query) => (query.length <= LIMITS.maxApqQueryLength ? store.set(hash, query) : undefined),
  };
}
