import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import type { Context } from '../context.ts';
import { DOMAIN_ERRORS_PLUGIN } from './errors.ts';

/**
 * The scopes of the fields that not every caller may use. Reads and subscriptions carry none: every
 * caller the server lets in may read (any valid token, or anyone in open mode), and every other
 * caller is refused UNAUTHENTICATED when its context is built, before any field runs. They carried
 * a `viewer` scope that was true for everyone, and scope-auth's per-request cache and resolver
 * wrapper for it cost the reads benchmark an eighth of its CPU per request.
 */
export interface AuthScopes {
  /** WORKER or ADMIN: claim, heartbeat, conclude. */
  worker: boolean;
  /** OPERATOR or ADMIN: run, submit and steer tasks, jobs and threads. */
  operator: boolean;
  /** ADMIN: clean, destroy, tokens. */
  admin: boolean;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: AuthScopes;
  // Output fields are non-null unless they say otherwise, as the contract mostly has them.
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    ID: { Input: string; Output: string };
  };
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin, DOMAIN_ERRORS_PLUGIN],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: ({ viewer }) => ({
      worker: viewer.role === 'WORKER' || viewer.role === 'ADMIN',
      operator: viewer.role === 'OPERATOR' || viewer.role === 'ADMIN',
      admin: viewer.role === 'ADMIN',
    }),
    unauthorizedError: (_parent, { viewer }, info) =>
      new GraphQLError(`Your role (${viewer.role}) may not use ${info.parentType.name}.${info.fieldName}`, {
        extensions: { code: 'FORBIDDEN' },
      }),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    nodesOnConnection: true,
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.queryType({});
builder.mutationType({});
