import { useGraphQlJit } from '@envelop/graphql-jit';
import {
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  isSpecifiedScalarType,
  Kind,
  TypeInfo,
  typeFromAST,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type FragmentSpreadNode,
  type InlineFragmentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Logger } from './log.ts';

/**
 * How operations are executed: compiled by graphql-jit where it gives exactly what graphql-js gives,
 * graphql-js's own `execute` everywhere else. The app and the differential test
 * (test/executor.differential.test.ts) both use this plugin.
 *
 * Compiled, a page of tasks runs several times faster than interpreted (the reads benchmark). But
 * graphql-jit re-implements argument and variable coercion, and its copy differs from graphql-js's
 * (read in graphql-jit 0.8.7, src/ast.ts `valueFromAST` and src/variables.ts):
 * - a variable inside a list or object literal is filled in by jit after coercing the literal: a
 *   custom scalar's literal (`conf: { frame: $f }`) gets no variables at all, so `$f` is silently
 *   dropped; a nested variable the request leaves out becomes `null` where graphql-js leaves the field
 *   out or applies its default;
 * - a literal of a scalar whose `parseLiteral` takes the variables makes jit print a warning to
 *   stderr, outside the logger;
 * - a variable the request leaves out is an error for a non-null variable or input field even when it
 *   has a default, which graphql-js applies;
 * - variable values it rejects get messages worded differently from graphql-js's (and @oneOf inputs
 *   are not checked at all);
 * - it collects a selection set's fields first and its fragments after, last one first, so a
 *   fragment followed by another selection gives the response's fields in another order;
 * - it keeps the @skip/@include of a fragment on the fragment's field nodes, which other spreads of
 *   the same fragment share: a condition leaks to where it was never written;
 * - @envelop/graphql-jit caches the compiled query per document, whatever the operation name, so a
 *   document with several operations would run the first one compiled for every name.
 * (test/executor.differential.test.ts shows each of these when its rule below is taken out.)
 * So the standard executor runs every operation that uses one of these constructs, decided from the
 * document and schema (cached per parsed document), and every request whose variables graphql-js
 * itself rejects, so that those errors are graphql-js's own. What stays compiled is the common read:
 * literals of built-in types and enums, variables as whole argument values, fragments spread as the
 * last selection, @skip/@include on fields.
 */
export function useOperationExecutor(log: Logger): ReturnType<typeof useGraphQlJit> {
  return useGraphQlJit(
    {},
    {
      enableIf: runsCompiled,
      onError: (result) => log.error({ errors: result.errors }, 'graphql-jit could not compile an operation'),
    },
  );
}

/** Whether graphql-jit may run this operation: it then gives exactly what graphql-js would. */
export function runsCompiled(args: ExecutionArgs): boolean {
  const operation = getOperationAST(args.document, args.operationName);
  // Subscriptions keep the standard executor; an operation that is not there gets graphql-js's error.
  if (!operation || operation.operation === 'subscription') return false;
  if (!documentRunsCompiled(args.schema, args.document, operation)) return false;
  const definitions = operation.variableDefinitions ?? [];
  if (definitions.length === 0) return true;
  return !('errors' in getVariableValues(args.schema, definitions, args.variableValues ?? {}, { maxErrors: 1 }));
}

const compiledByDocument = new WeakMap<DocumentNode, Map<OperationDefinitionNode, boolean>>();

function documentRunsCompiled(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): boolean {
  let byOperation = compiledByDocument.get(document);
  if (!byOperation) compiledByDocument.set(document, (byOperation = new Map()));
  let compiled = byOperation.get(operation);
  if (compiled === undefined) {
    compiled =
      document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION).length === 1 &&
      variableDefaultsRunCompiled(schema, operation) &&
      selectionsRunCompiled(schema, document, operation);
    byOperation.set(operation, compiled);
  }
  return compiled;
}

/**
 * Every variable default as graphql-js applies it. jit refuses the default of a non-null variable or
 * input field (an omitted one is an error), and copies defaults into its generated code through
 * JSON, so a default that is not plain JSON (a DateTime's Date) arrives as something else.
 */
function variableDefaultsRunCompiled(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) return false;
    if (definition.defaultValue) {
      if (isNonNullType(type) || !survivesJson(valueFromAST(definition.defaultValue, type))) return false;
    }
    if (reachesFieldDefaultJitMisapplies(type, new Set())) return false;
  }
  return true;
}

function reachesFieldDefaultJitMisapplies(type: GraphQLInputType, seen: Set<string>): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some(
    (field) =>
      (field.defaultValue !== undefined && (isNonNullType(field.type) || !survivesJson(field.defaultValue))) ||
      reachesFieldDefaultJitMisapplies(field.type, seen),
  );
}

function survivesJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(survivesJson);
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(survivesJson);
}

/**
 * In the operation and the fragments it spreads (fragments it does not use are not executed): no
 * fragment followed by another selection, no @skip/@include on a fragment, no variable inside a list
 * or object literal, and no literal of a scalar whose `parseLiteral` reads variables.
 */
function selectionsRunCompiled(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const pending: (typeof document.definitions)[number][] = [operation];
  const visited = new Set<string>();
  let compiled = true;
  const typeInfo = new TypeInfo(schema);
  // The depth of list and object literals the visitor is inside.
  let literalDepth = 0;
  const visitor = visitWithTypeInfo(typeInfo, {
    SelectionSet(node) {
      const fragment = node.selections.findIndex((selection) => selection.kind !== Kind.FIELD);
      if (fragment !== -1 && fragment < node.selections.length - 1) compiled = false;
    },
    InlineFragment(node) {
      if (hasSkipOrInclude(node)) compiled = false;
    },
    FragmentSpread(node) {
      if (hasSkipOrInclude(node)) compiled = false;
      if (!visited.has(node.name.value)) {
        visited.add(node.name.value);
        const fragment = fragments.get(node.name.value);
        if (fragment) pending.push(fragment);
      }
    },
    // Their defaults are graphql-js's own valueFromAST in jit too (variableDefaultsRunCompiled).
    VariableDefinition: () => false,
    Variable() {
      if (literalDepth > 0) compiled = false;
    },
    ListValue: { enter: enterLiteral, leave: () => void literalDepth-- },
    ObjectValue: { enter: enterLiteral, leave: () => void literalDepth-- },
    StringValue: checkScalarLiteral,
    IntValue: checkScalarLiteral,
    FloatValue: checkScalarLiteral,
    BooleanValue: checkScalarLiteral,
    EnumValue: checkScalarLiteral,
  });
  function enterLiteral() {
    checkScalarLiteral();
    literalDepth++;
  }
  function checkScalarLiteral() {
    // The input type of this literal: a list or object inside a custom scalar's literal has none.
    // (jit does not call parseLiteral for a null literal.)
    const type = typeInfo.getInputType();
    const scalar = type && getNullableType(type);
    if (scalar && !isListType(scalar) && isScalarType(scalar) && !isSpecifiedScalarType(scalar) && scalar.parseLiteral.length > 1) {
      compiled = false;
    }
  }
  while (compiled && pending.length > 0) {
    literalDepth = 0;
    visit(pending.pop()!, visitor);
  }
  return compiled;
}

function hasSkipOrInclude(node: FragmentSpreadNode | InlineFragmentNode): boolean {
  return node.directives?.some((directive) => directive.name.value === 'skip' || directive.name.value === 'include') ?? false;
}
