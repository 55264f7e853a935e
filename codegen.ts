import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for every operation the project itself sends: the worker SDK and the tests write
 * `graphql(\`…\`)` and get typed results and variables. `npm run codegen` regenerates src/gql;
 * test/artefacts.test.ts fails while it is stale.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
  emitLegacyCommonJSImports: false,
};

export default config;
