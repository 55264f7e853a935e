import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { buildASTSchema, findBreakingChanges, graphqlSync, Kind, parse, Source, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.ts';
import { printSortedSchema, schema } from '../src/schema/index.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/**
 * The contract: schema/contract/ holds the core (schema.graphql) and every part the project has
 * adopted, each an identical copy of the file of the same name in ../shared/contract/.
 */
const CONTRACT_DIR = 'schema/contract';
const contractFiles = readdirSync(new URL(`../${CONTRACT_DIR}/`, import.meta.url))
  .filter((name) => name.endsWith('.graphql'))
  .sort();
const sharedContract = new URL('../../shared/contract/', import.meta.url);
const sharedPresent = existsSync(sharedContract);

/** The core and the adopted parts built as one schema: a part's `extend` blocks need the core. */
function contractSchema(): GraphQLSchema {
  const documents = contractFiles.map((name) => parse(new Source(read(`${CONTRACT_DIR}/${name}`), `${CONTRACT_DIR}/${name}`)));
  return buildASTSchema({ kind: Kind.DOCUMENT, definitions: documents.flatMap((d) => d.definitions) });
}

describe('generated artefacts', () => {
  it('schema/schema.graphql is the printed schema (run `npm run schema:print`)', () => {
    expect(read('schema/schema.graphql')).toBe(printSortedSchema());
  });

  it('schema/contract/ holds the core and the adopted parts (edges)', () => {
    expect(contractFiles).toContain('schema.graphql');
    expect(contractFiles).toContain('edges.graphql');
  });

  it('the schema is a compatible superset of the core plus every adopted part', () => {
    const contract = contractSchema();
    // The parts are in: edges.graphql's field is part of what is compared.
    expect(contract.getType('TaskBatchPayload')?.toConfig()).toHaveProperty('fields.cursor');
    expect(findBreakingChanges(contract, schema)).toEqual([]);
  });

  it('TaskTarget is @oneOf, by introspection (a rule no SDL part can state)', () => {
    const result = graphqlSync({ schema, source: '{ __type(name: "TaskTarget") { isOneOf } }' });
    expect(result).toEqual({ data: { __type: { isOneOf: true } } });
  });

  it.skipIf(!sharedPresent)(
    `every file in ${CONTRACT_DIR}/ equals ../shared/contract/<same name>${sharedPresent ? '' : ' (skipped: ../shared/contract/ is missing)'}`,
    () => {
      for (const name of contractFiles) {
        const shared = new URL(name, sharedContract);
        expect(existsSync(shared), `../shared/contract/${name} exists`).toBe(true);
        expect(read(`${CONTRACT_DIR}/${name}`), `${CONTRACT_DIR}/${name}`).toBe(readFileSync(shared, 'utf8'));
      }
    },
  );

  it('src/gql is what codegen generates now (run `npm run codegen`)', async () => {
    const outputs = (await generate({ ...codegenConfig, silent: true, verbose: false }, false)) as {
      filename: string;
      content: string;
    }[];
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(read(output.filename), output.filename).toBe(output.content);
    }
  }, 60_000);
});
