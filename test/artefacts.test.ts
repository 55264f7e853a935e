import { existsSync, readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { buildSchema, findBreakingChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.ts';
import { printSortedSchema, schema } from '../src/schema/index.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('generated artefacts', () => {
  it('schema/schema.graphql is the printed schema (run `npm run schema:print`)', () => {
    expect(read('schema/schema.graphql')).toBe(printSortedSchema());
  });

  it('the schema is a compatible superset of the contract', () => {
    const contract = buildSchema(read('schema/contract.graphql'));
    expect(findBreakingChanges(contract, schema)).toEqual([]);
  });

  it('schema/contract.graphql is the shared contract, where that is present', () => {
    const shared = new URL('../../shared/contract/schema.graphql', import.meta.url);
    if (!existsSync(shared)) return;
    expect(read('schema/contract.graphql')).toBe(readFileSync(shared, 'utf8'));
  });

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
