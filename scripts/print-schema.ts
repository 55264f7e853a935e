import { writeFileSync } from 'node:fs';
import { printSortedSchema } from '../src/schema/index.ts';

// Writes schema/schema.graphql; test/schema.test.ts fails while the committed copy is stale.
writeFileSync(new URL('../schema/schema.graphql', import.meta.url), printSortedSchema());
