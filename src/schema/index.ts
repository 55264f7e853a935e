import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './scalars.ts';
import './enums.ts';
import './node.ts';
import './counts.ts';
import './task.ts';
import './job.ts';
import './thread.ts';
import './taskBatch.ts';
import './taskCommands.ts';
import './taskEvent.ts';
import './viewer.ts';
import './apiToken.ts';
import './worker.ts';

export const schema: GraphQLSchema = builder.toSchema();

/** The SDL committed as schema/schema.graphql: sorted, so diffs show only real changes. */
export function printSortedSchema(): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
