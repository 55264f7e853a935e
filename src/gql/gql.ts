/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation RunFamilySubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) {\n      applied\n      errors { index code message taskId status }\n      job { id name priority status suspended taskCounts { total pending queued suspended } }\n      tasks { id index name status priority conf thread { name } parent { id } refId open archive auto maxAttempts timeoutMs description }\n    }\n  }\n": typeof types.RunFamilySubmitJobDocument,
    "\n  mutation RunFamilyRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) {\n      applied\n      ids\n      errors { index code message taskId status }\n      tasks { id index name status job { id } }\n    }\n  }\n": typeof types.RunFamilyRunTasksDocument,
    "\n        mutation RunFamilyBulk($input: SubmitJobInput!) {\n          submitJob(input: $input) { applied job { taskCounts { total } } }\n        }\n      ": typeof types.RunFamilyBulkDocument,
};
const documents: Documents = {
    "\n  mutation RunFamilySubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) {\n      applied\n      errors { index code message taskId status }\n      job { id name priority status suspended taskCounts { total pending queued suspended } }\n      tasks { id index name status priority conf thread { name } parent { id } refId open archive auto maxAttempts timeoutMs description }\n    }\n  }\n": types.RunFamilySubmitJobDocument,
    "\n  mutation RunFamilyRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) {\n      applied\n      ids\n      errors { index code message taskId status }\n      tasks { id index name status job { id } }\n    }\n  }\n": types.RunFamilyRunTasksDocument,
    "\n        mutation RunFamilyBulk($input: SubmitJobInput!) {\n          submitJob(input: $input) { applied job { taskCounts { total } } }\n        }\n      ": types.RunFamilyBulkDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RunFamilySubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) {\n      applied\n      errors { index code message taskId status }\n      job { id name priority status suspended taskCounts { total pending queued suspended } }\n      tasks { id index name status priority conf thread { name } parent { id } refId open archive auto maxAttempts timeoutMs description }\n    }\n  }\n"): (typeof documents)["\n  mutation RunFamilySubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) {\n      applied\n      errors { index code message taskId status }\n      job { id name priority status suspended taskCounts { total pending queued suspended } }\n      tasks { id index name status priority conf thread { name } parent { id } refId open archive auto maxAttempts timeoutMs description }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RunFamilyRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) {\n      applied\n      ids\n      errors { index code message taskId status }\n      tasks { id index name status job { id } }\n    }\n  }\n"): (typeof documents)["\n  mutation RunFamilyRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) {\n      applied\n      ids\n      errors { index code message taskId status }\n      tasks { id index name status job { id } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        mutation RunFamilyBulk($input: SubmitJobInput!) {\n          submitJob(input: $input) { applied job { taskCounts { total } } }\n        }\n      "): (typeof documents)["\n        mutation RunFamilyBulk($input: SubmitJobInput!) {\n          submitJob(input: $input) { applied job { taskCounts { total } } }\n        }\n      "];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;