import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refusedBeforeExecution } from './refusal.ts';

/**
 * Limits on the shape of every operation, enforced by graphql-armor at parse and validation time —
 * before anything runs, on HTTP, SSE and WebSocket alike (all three go through the envelop pipeline).
 *
 * The numbers leave room for every legitimate query of the contract:
 *  - depth 12: `tasks { edges { node { job { tasks { edges { node { parent { id } } } } } } } }` is 9;
 *  - aliases 30: a dashboard asking for a handful of counts at once, not an alias bomb;
 *  - tokens 5,000: documents are small; bulk data (10,000 task definitions) travels in variables;
 *  - cost 100,000 with armor's weights (object 2, scalar 1, ×1.5 per level, × a literal `first`):
 *    one full page (`first: 500`) of tasks with every field, their job, thread and parent costs about
 *    63,000; a page of 500 nested inside another page of 500 costs millions. (A `first` passed as a
 *    variable counts as 1: the page limit of 500 and the dataloaders bound those.)
 */
export const OPERATION_LIMITS = {
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 50,
  maxTokens: 5_000,
  maxCost: 100_000,
} as const;

export type OperationLimit = keyof typeof OPERATION_LIMITS;

/**
 * Turns armor's "Syntax Error: …" into a clear BAD_USER_INPUT error that names the limit, answered as
 * a refusal before execution. armor throws it out of validation (or parsing), past yoga's marking of
 * validation errors, so it is marked here.
 */
function nameLimit(limit: OperationLimit, hint: string): (context: unknown, error: GraphQLError) => void {
  return (_context, error) => {
    const message = error.message.replace(/^Syntax Error: /, '');
    (error as { message: string }).message = `${message} (limit ${limit}). ${hint}`;
    Object.assign(error.extensions, { code: 'BAD_USER_INPUT', limit, http: refusedBeforeExecution() });
  };
}

export interface OperationLimitOptions {
  introspection: boolean;
}

export function operationLimitPlugins(options: OperationLimitOptions): Plugin[] {
  const armor = new EnvelopArmor({
    maxDepth: {
      n: OPERATION_LIMITS.maxDepth,
      onReject: [nameLimit('maxDepth', 'Ask for fewer nested levels.')],
    },
    maxAliases: {
      n: OPERATION_LIMITS.maxAliases,
      onReject: [nameLimit('maxAliases', 'Use fewer aliases, or a list argument instead of one alias per item.')],
    },
    maxDirectives: {
      n: OPERATION_LIMITS.maxDirectives,
      onReject: [nameLimit('maxDirectives', 'Use fewer directives.')],
    },
    maxTokens: {
      n: OPERATION_LIMITS.maxTokens,
      onReject: [nameLimit('maxTokens', 'Pass large inputs as variables rather than inline in the document.')],
    },
    costLimit: {
      maxCost: OPERATION_LIMITS.maxCost,
      onReject: [nameLimit('maxCost', 'Ask for fewer fields or smaller pages (`first`), or split the query.')],
    },
    // "Did you mean …?" suggestions reveal the schema; hide them only when introspection is off too.
    blockFieldSuggestion: { enabled: !options.introspection },
  });
  const plugins: Plugin[] = armor.protect().plugins as Plugin[];
  if (!options.introspection) plugins.push(useNoIntrospection());
  return plugins;
}

/** Refuses `__schema` and `__type` with graphql-js' own validation rule (`__typename` stays allowed). */
function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
