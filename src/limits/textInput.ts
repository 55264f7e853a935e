import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refusedBeforeExecution } from './refusal.ts';

/**
 * Text Postgres cannot store: NUL (text and jsonb both refuse it) and unpaired UTF-16 surrogates
 * (jsonb refuses their `\ud800` escapes; text would silently get U+FFFD). Refused up front, in
 * variables and in the document's string literals alike, so that such input is a clear
 * BAD_USER_INPUT naming the path, and never reaches SQL to come back as a masked server error.
 */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string (or object key) that Postgres cannot store, or null. */
export function findUnstorableText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || '(value)' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (UNSTORABLE.test(key)) return at;
      const found = findUnstorableText(item, at);
      if (found) return found;
    }
  }
  return null;
}

/** Per parsed document (yoga's parse cache hands back the same object for the same text). */
const documentFindings = new WeakMap<DocumentNode, string | null>();

function findInDocument(document: DocumentNode): string | null {
  const known = documentFindings.get(document);
  if (known !== undefined) return known;
  let found: string | null = null;
  visit(document, {
    [Kind.STRING](node) {
      if (found === null && UNSTORABLE.test(node.value)) found = `a string literal at line ${node.loc?.startToken.line ?? '?'}`;
    },
  });
  documentFindings.set(document, found);
  return found;
}

function unstorable(where: string): GraphQLError {
  return new GraphQLError(
    `Text at ${where} contains a NUL character or an unpaired surrogate, which cannot be stored. Remove it or encode the data (e.g. base64).`,
    { extensions: { code: 'BAD_USER_INPUT', limit: 'storableText', http: refusedBeforeExecution() } },
  );
}

export function useStorableTextOnly(): Plugin {
  function check(document: DocumentNode, variables: unknown): GraphQLError | null {
    const inVariables = findUnstorableText(variables ?? {}, '');
    if (inVariables) return unstorable(`variables.${inVariables}`);
    const inDocument = findInDocument(document);
    return inDocument ? unstorable(inDocument) : null;
  }
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
