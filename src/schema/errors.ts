import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { GraphQLError, type GraphQLFieldResolver } from 'graphql';
import { DomainError } from '../domain/errors.ts';

/** The schema edge: a domain error becomes the GraphQL error clients see, the same message and extensions. */
export function toGraphQLError(error: unknown): unknown {
  return error instanceof DomainError ? new GraphQLError(error.message, { extensions: { ...error.extensions } }) : error;
}

type Resolver<Types extends SchemaTypes> = GraphQLFieldResolver<unknown, Types['Context'], object>;

function rethrowing(error: unknown): never {
  throw toGraphQLError(error);
}

function wrap<Types extends SchemaTypes>(resolver: Resolver<Types>): Resolver<Types> {
  return (parent, args, context, info) => {
    try {
      const result: unknown = resolver(parent, args, context, info);
      return result instanceof Promise ? result.catch(rethrowing) : result;
    } catch (error) {
      return rethrowing(error);
    }
  };
}

/**
 * Converts domain errors where they leave a resolver or a subscribe function. Only the fields that
 * can raise one are wrapped: root fields and fields with arguments (pagination, cursors). A field
 * without arguments on an object only reads what a loader gave it, and the reads benchmark pays for
 * every wrapper on those.
 */
export class DomainErrorsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  private raises(fieldConfig: PothosOutputFieldConfig<Types>): boolean {
    const root = fieldConfig.kind === 'Query' || fieldConfig.kind === 'Mutation' || fieldConfig.kind === 'Subscription';
    return root || Object.keys(fieldConfig.args).length > 0;
  }

  override wrapResolve(resolver: Resolver<Types>, fieldConfig: PothosOutputFieldConfig<Types>): Resolver<Types> {
    return this.raises(fieldConfig) ? wrap(resolver) : resolver;
  }

  override wrapSubscribe(subscribe: Resolver<Types> | undefined, fieldConfig: PothosOutputFieldConfig<Types>): Resolver<Types> | undefined {
    return subscribe && this.raises(fieldConfig) ? wrap(subscribe) : subscribe;
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      domainErrors: DomainErrorsPlugin<Types>;
    }
  }
}

/** The plugin's name, for the builder's plugin list (registered when this module loads). */
export const DOMAIN_ERRORS_PLUGIN = 'domainErrors';
SchemaBuilder.registerPlugin(DOMAIN_ERRORS_PLUGIN, DomainErrorsPlugin);
