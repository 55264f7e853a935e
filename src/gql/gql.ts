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
    "\n  fragment WorkerClaimedTask on Task {\n    id\n    name\n    conf\n    attempts\n    priority\n    index\n    refId\n    timeoutMs\n    leaseExpiresAt\n    job { id }\n    thread { name }\n  }\n": typeof types.WorkerClaimedTaskFragmentDoc,
    "\n  mutation WorkerClaimTasks($input: ClaimTasksInput!) {\n    claimTasks(input: $input) {\n      tasks { ...WorkerClaimedTask }\n    }\n  }\n": typeof types.WorkerClaimTasksDocument,
    "\n  mutation WorkerHeartbeat($input: HeartbeatInput!) {\n    heartbeat(input: $input) {\n      results { taskId directive leaseExpiresAt }\n    }\n  }\n": typeof types.WorkerHeartbeatDocument,
    "\n  mutation WorkerConcludeTasks($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) {\n      applied\n      ids\n      errors { index code message status }\n    }\n  }\n": typeof types.WorkerConcludeTasksDocument,
    "\n  mutation WorkerConcludeAndClaim($conclude: ConcludeTasksInput!, $claim: ClaimTasksInput!) {\n    concludeTasks(input: $conclude) {\n      applied\n      ids\n      errors { index code message status }\n    }\n    claimTasks(input: $claim) {\n      tasks { ...WorkerClaimedTask }\n    }\n  }\n": typeof types.WorkerConcludeAndClaimDocument,
    "mutation ClaimTestPause($input: ThreadInput!) { pauseThread(input: $input) { thread { status paused } } }": typeof types.ClaimTestPauseDocument,
    "mutation ClaimTestResume($input: ThreadInput!) { resumeThread(input: $input) { thread { status paused } } }": typeof types.ClaimTestResumeDocument,
    "mutation ClaimTestSuspendJobs($input: JobIdsInput!) { suspendJobs(input: $input) { applied } }": typeof types.ClaimTestSuspendJobsDocument,
    "mutation ClaimTestResumeJobs($input: JobIdsInput!) { resumeJobs(input: $input) { applied } }": typeof types.ClaimTestResumeJobsDocument,
    "query ClaimTestJob($id: ID!) { job(id: $id) { status taskCounts { running queued } } }": typeof types.ClaimTestJobDocument,
    "\n  query ClaimTestWorkers { workers { name lastSeenAt tasks { id status } } worker(name: \"w-view\") { name tasks { id } } }\n": typeof types.ClaimTestWorkersDocument,
    "\n  mutation ConcurrencyConclude($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied } }\n": typeof types.ConcurrencyConcludeDocument,
    "\n  mutation ConcurrencySuspendJobs($input: JobIdsInput!) { suspendJobs(input: $input) { applied } }\n": typeof types.ConcurrencySuspendJobsDocument,
    "\n  mutation ConcurrencyResumeJobs($input: JobIdsInput!) { resumeJobs(input: $input) { applied } }\n": typeof types.ConcurrencyResumeJobsDocument,
    "\n  mutation SeedSuspendJobs($input: JobIdsInput!) {\n    suspendJobs(input: $input) { applied jobs { id status suspended taskCounts { suspended queued pending running } } errors { jobId index code message } }\n  }\n": typeof types.SeedSuspendJobsDocument,
    "\n  mutation SeedResumeJobs($input: JobIdsInput!) {\n    resumeJobs(input: $input) { applied jobs { id status suspended taskCounts { suspended queued pending running } } errors { jobId index code message } }\n  }\n": typeof types.SeedResumeJobsDocument,
    "\n  mutation SeedPauseThread($input: ThreadInput!) { pauseThread(input: $input) { thread { name paused status } } }\n": typeof types.SeedPauseThreadDocument,
    "\n  mutation SeedResumeThread($input: ThreadInput!) { resumeThread(input: $input) { thread { name paused status } } }\n": typeof types.SeedResumeThreadDocument,
    "\n  query SeedTask($id: ID!) { task(id: $id) { id status allowedOperations residentOn leaseExpiresAt progress } }\n": typeof types.SeedTaskDocument,
    "\n  query SeedJob($id: ID!) { job(id: $id) { id status suspended taskCounts { total pending queued running suspended cancelling completed failed cancelled } } }\n": typeof types.SeedJobDocument,
    "\n  mutation SeedConclude($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied ids errors { code taskId status } } }\n": typeof types.SeedConcludeDocument,
    "\n  mutation ConcludeTaskTest($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) {\n      applied ids\n      tasks { id status result resultType errorInfo progress finishedAt residentOn leaseExpiresAt }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.ConcludeTaskTestDocument,
    "query ConcludeJobStatus($id: ID!) { job(id: $id) { status } }": typeof types.ConcludeJobStatusDocument,
    "\n  mutation ConcludeTasksTest($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) {\n      applied ids\n      tasks { id status result resultType errorInfo progress finishedAt residentOn leaseExpiresAt }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.ConcludeTasksTestDocument,
    "\n  mutation ConcludeTasksTestLean($input: ConcludeTasksInput!) { concludeTasks(input: $input) { applied errors { index code } } }\n": typeof types.ConcludeTasksTestLeanDocument,
    "\n  mutation ConcludeTasksTestSingle($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied errors { index code } } }\n": typeof types.ConcludeTasksTestSingleDocument,
    "query ConcludeTasksJobStatus($id: ID!) { job(id: $id) { status } }": typeof types.ConcludeTasksJobStatusDocument,
    "\n  mutation EventOrderRun($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n": typeof types.EventOrderRunDocument,
    "\n  mutation EventOrderSuspend($input: TaskCommandInput!) {\n    suspendTasks(input: $input) { applied }\n  }\n": typeof types.EventOrderSuspendDocument,
    "\n  mutation EventsRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n": typeof types.EventsRunTasksDocument,
    "\n  mutation EventsSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { id } }\n  }\n": typeof types.EventsSubmitJobDocument,
    "\n  query EventsPage($filter: TaskEventFilter, $first: Int, $after: String) {\n    taskEvents(filter: $filter, first: $first, after: $after) {\n      edges { cursor node { cursor kind taskId status progress at task { id name } } }\n      nodes { cursor }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.EventsPageDocument,
    "\n  query EventsTaskLogs($ids: [ID!], $first: Int, $after: String) {\n    tasks(filter: { ids: $ids }, first: 500) {\n      nodes { id events(first: $first, after: $after) { nodes { kind taskId } pageInfo { hasNextPage endCursor } } }\n    }\n  }\n": typeof types.EventsTaskLogsDocument,
    "\n    subscription EventsProgress($filter: TaskEventFilter, $after: String) {\n      taskEvents(filter: $filter, after: $after) { kind taskId progress status task { progress message } }\n    }\n  ": typeof types.EventsProgressDocument,
    "\n  mutation QueriesSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id index } }\n  }\n": typeof types.QueriesSubmitDocument,
    "\n  mutation QueriesRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids }\n  }\n": typeof types.QueriesRunDocument,
    "\n  query QueriesListTasks($filter: TaskFilter, $first: Int, $after: String) {\n    tasks(filter: $filter, first: $first, after: $after) {\n      totalCount\n      edges { cursor node { id name } }\n      nodes { id name status index }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.QueriesListTasksDocument,
    "\n    query QueriesLookup($id: ID!) {\n      task(id: $id) { id name job { id name } parent { id } subtasks { totalCount nodes { id } } }\n      job(id: $id) { id name }\n      node(id: $id) { id __typename ... on Task { name } ... on Job { name } }\n    }\n  ": typeof types.QueriesLookupDocument,
    "\n    query QueriesJobs($filter: JobFilter, $first: Int, $after: String) {\n      jobs(filter: $filter, first: $first, after: $after) {\n        totalCount\n        nodes { id name status progress suspended taskCounts { total pending queued running suspended cancelling completed failed cancelled } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  ": typeof types.QueriesJobsDocument,
    "\n    query QueriesJobTasks($id: ID!, $status: [TaskStatus!], $first: Int, $after: String) {\n      job(id: $id) {\n        tasks(status: $status, first: $first, after: $after) { totalCount nodes { index status } pageInfo { hasNextPage endCursor } }\n      }\n    }\n  ": typeof types.QueriesJobTasksDocument,
    "query QueriesJobProgress($id: ID!) { job(id: $id) { status progress taskCounts { completed running } } }": typeof types.QueriesJobProgressDocument,
    "\n    query QueriesThread($name: String!) {\n      thread(name: $name) {\n        name status paused head { id status } taskCounts { total queued pending }\n        tasks(first: 10) { totalCount nodes { id } }\n      }\n    }\n  ": typeof types.QueriesThreadDocument,
    "\n    query QueriesThreads($first: Int, $after: String) {\n      threads(first: $first, after: $after) { nodes { name status } pageInfo { hasNextPage endCursor } }\n    }\n  ": typeof types.QueriesThreadsDocument,
    "\n    query QueriesWide($first: Int) {\n      tasks(first: $first) {\n        nodes {\n          id status allowedOperations\n          job { id name status progress taskCounts { total } }\n          thread { name status paused head { id } taskCounts { total } }\n          parent { id name job { name } }\n        }\n      }\n    }\n  ": typeof types.QueriesWideDocument,
    "\n  mutation ReadYourWritesRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids cursor errors { code } }\n  }\n": typeof types.ReadYourWritesRunDocument,
    "\n  mutation ReadYourWritesSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied cursor tasks { id } errors { code } }\n  }\n": typeof types.ReadYourWritesSubmitDocument,
    "\n  mutation ReadYourWritesCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) { applied ids cursor errors { code } }\n  }\n": typeof types.ReadYourWritesCancelDocument,
    "\n  mutation ReadYourWritesDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) { applied ids cursor errors { code } }\n  }\n": typeof types.ReadYourWritesDestroyDocument,
    "\n  mutation ReadYourWritesComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) { applied ids cursor errors { code } }\n  }\n": typeof types.ReadYourWritesCompleteDocument,
    "\n  mutation ReadYourWritesConclude($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) { applied ids cursor errors { code } }\n  }\n": typeof types.ReadYourWritesConcludeDocument,
    "\n  mutation ReadYourWritesConcludeMany($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) { applied ids cursor errors { code } }\n  }\n": typeof types.ReadYourWritesConcludeManyDocument,
    "\n  mutation RunFamilySubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) {\n      applied\n      errors { index code message taskId status }\n      job { id name priority status suspended taskCounts { total pending queued suspended } }\n      tasks { id index name status priority conf thread { name } parent { id } refId open archive auto maxAttempts timeoutMs description }\n    }\n  }\n": typeof types.RunFamilySubmitJobDocument,
    "\n  mutation RunFamilyRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) {\n      applied\n      ids\n      errors { index code message taskId status }\n      tasks { id index name status job { id } }\n    }\n  }\n": typeof types.RunFamilyRunTasksDocument,
    "\n        mutation RunFamilyBulk($input: SubmitJobInput!) {\n          submitJob(input: $input) { applied job { taskCounts { total } } }\n        }\n      ": typeof types.RunFamilyBulkDocument,
    "\n  query ConcurrencyEventLog($after: String, $first: Int) {\n    taskEvents(after: $after, first: $first) {\n      nodes { cursor thread }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ConcurrencyEventLogDocument,
    "\n    subscription ConcurrencyEvents($after: String) {\n      taskEvents(after: $after) { cursor thread }\n    }\n  ": typeof types.ConcurrencyEventsDocument,
    "\n  mutation SubsRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n": typeof types.SubsRunTasksDocument,
    "\n  mutation SubsSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { id } tasks { id } }\n  }\n": typeof types.SubsSubmitJobDocument,
    "\n  query SubsEventLog($filter: TaskEventFilter, $first: Int, $after: String) {\n    taskEvents(filter: $filter, first: $first, after: $after) {\n      nodes { cursor kind taskId jobId thread previousStatus status }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.SubsEventLogDocument,
    "\n    subscription SubsTaskEvents($filter: TaskEventFilter, $after: String) {\n      taskEvents(filter: $filter, after: $after) {\n        cursor kind taskId jobId thread previousStatus status progress at\n        task { id name status }\n      }\n    }\n  ": typeof types.SubsTaskEventsDocument,
    "\n    subscription SubsStatusChanged($filter: TaskEventFilter, $after: String) {\n      taskStatusChanged(filter: $filter, after: $after) { cursor kind taskId previousStatus status }\n    }\n  ": typeof types.SubsStatusChangedDocument,
    "\n    subscription SubsJobStatusChanged($jobId: ID, $after: String) {\n      jobStatusChanged(jobId: $jobId, after: $after) { cursor jobId previousStatus status job { id name } }\n    }\n  ": typeof types.SubsJobStatusChangedDocument,
    "\n  mutation CommandCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandCancelDocument,
    "\n  mutation CommandDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandDestroyDocument,
    "\n  mutation CommandSuspend($input: TaskCommandInput!) {\n    suspendTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandSuspendDocument,
    "\n  mutation CommandFail($input: TaskCommandInput!) {\n    failTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandFailDocument,
    "\n  mutation CommandClean($input: TaskCommandInput!) {\n    cleanTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandCleanDocument,
    "\n  mutation CommandRequeue($input: TaskCommandInput!) {\n    requeueTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandRequeueDocument,
    "\n  mutation CommandResume($input: TaskCommandInput!) {\n    resumeTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandResumeDocument,
    "\n  mutation CommandResumeFailed($input: TaskCommandInput!) {\n    resumeFailedTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandResumeFailedDocument,
    "\n  mutation CommandComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandCompleteDocument,
    "\n  mutation CommandPend($input: TaskCommandInput!) {\n    pendTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandPendDocument,
    "\n  mutation CommandReleasePending($input: TaskCommandInput!) {\n    releasePendingTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": typeof types.CommandReleasePendingDocument,
    "\n  mutation SetupSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id index } }\n  }\n": typeof types.SetupSubmitJobDocument,
    "\n  mutation SetupRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids }\n  }\n": typeof types.SetupRunTasksDocument,
    "\n  mutation WorkerTestClaim($input: ClaimTasksInput!) {\n    claimTasks(input: $input) {\n      tasks { id name status priority attempts residentOn startedAt leaseExpiresAt thread { name } job { id } }\n    }\n  }\n": typeof types.WorkerTestClaimDocument,
    "\n  mutation WorkerTestHeartbeat($input: HeartbeatInput!) {\n    heartbeat(input: $input) { results { taskId directive leaseExpiresAt } }\n  }\n": typeof types.WorkerTestHeartbeatDocument,
    "\n  mutation WorkerTestRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids errors { index code message } }\n  }\n": typeof types.WorkerTestRunDocument,
    "\n  mutation WorkerTestSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id } errors { index code message } }\n  }\n": typeof types.WorkerTestSubmitDocument,
    "\n  mutation WorkerTestConclude($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) { applied ids errors { code message } }\n  }\n": typeof types.WorkerTestConcludeDocument,
    "\n  mutation WorkerTestCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) { applied ids errors { code message } }\n  }\n": typeof types.WorkerTestCancelDocument,
    "\n  mutation WorkerTestDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) { applied ids errors { code message } }\n  }\n": typeof types.WorkerTestDestroyDocument,
    "\n  query WorkerTestTask($id: ID!) {\n    task(id: $id) { id status attempts residentOn errorInfo progress message result leaseExpiresAt finishedAt }\n  }\n": typeof types.WorkerTestTaskDocument,
    "\n  query WorkerTestThread($name: String!) { thread(name: $name) { name status paused head { id status } } }\n": typeof types.WorkerTestThreadDocument,
    "query SweeperTestJob($id: ID!) { job(id: $id) { status } }": typeof types.SweeperTestJobDocument,
    "\n  query TaskTargetIntrospection {\n    __type(name: \"TaskTarget\") { isOneOf }\n  }\n": typeof types.TaskTargetIntrospectionDocument,
    "\n  mutation TaskTargetMember($ids: [ID!]!) {\n    cancelTasks(input: { target: { ids: $ids } }) { applied ids }\n  }\n": typeof types.TaskTargetMemberDocument,
    "\n  query WorkerTestJobResult($id: ID!) {\n    job(id: $id) { status tasks(first: 50) { nodes { index status result errorInfo progress residentOn attempts } } }\n  }\n": typeof types.WorkerTestJobResultDocument,
    "mutation WorkerTestFail($input: TaskCommandInput!) { failTasks(input: $input) { applied } }": typeof types.WorkerTestFailDocument,
    "\n  mutation ResubscribeRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids cursor }\n  }\n": typeof types.ResubscribeRunDocument,
    "\n  mutation ResubscribeCommand($cancel: TaskCommandInput!, $suspend: TaskCommandInput!) {\n    cancelTasks(input: $cancel) { applied cursor }\n    suspendTasks(input: $suspend) { applied cursor }\n  }\n": typeof types.ResubscribeCommandDocument,
    "\n  mutation ResubscribeRequeue($input: TaskCommandInput!) {\n    requeueTasks(input: $input) { applied cursor }\n  }\n": typeof types.ResubscribeRequeueDocument,
    "\n  mutation ResubscribeComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) { applied cursor }\n  }\n": typeof types.ResubscribeCompleteDocument,
    "\n  query ResubscribeLog($after: String) {\n    taskEvents(first: 500, after: $after) {\n      edges { node { cursor kind taskId status } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ResubscribeLogDocument,
};
const documents: Documents = {
    "\n  fragment WorkerClaimedTask on Task {\n    id\n    name\n    conf\n    attempts\n    priority\n    index\n    refId\n    timeoutMs\n    leaseExpiresAt\n    job { id }\n    thread { name }\n  }\n": types.WorkerClaimedTaskFragmentDoc,
    "\n  mutation WorkerClaimTasks($input: ClaimTasksInput!) {\n    claimTasks(input: $input) {\n      tasks { ...WorkerClaimedTask }\n    }\n  }\n": types.WorkerClaimTasksDocument,
    "\n  mutation WorkerHeartbeat($input: HeartbeatInput!) {\n    heartbeat(input: $input) {\n      results { taskId directive leaseExpiresAt }\n    }\n  }\n": types.WorkerHeartbeatDocument,
    "\n  mutation WorkerConcludeTasks($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) {\n      applied\n      ids\n      errors { index code message status }\n    }\n  }\n": types.WorkerConcludeTasksDocument,
    "\n  mutation WorkerConcludeAndClaim($conclude: ConcludeTasksInput!, $claim: ClaimTasksInput!) {\n    concludeTasks(input: $conclude) {\n      applied\n      ids\n      errors { index code message status }\n    }\n    claimTasks(input: $claim) {\n      tasks { ...WorkerClaimedTask }\n    }\n  }\n": types.WorkerConcludeAndClaimDocument,
    "mutation ClaimTestPause($input: ThreadInput!) { pauseThread(input: $input) { thread { status paused } } }": types.ClaimTestPauseDocument,
    "mutation ClaimTestResume($input: ThreadInput!) { resumeThread(input: $input) { thread { status paused } } }": types.ClaimTestResumeDocument,
    "mutation ClaimTestSuspendJobs($input: JobIdsInput!) { suspendJobs(input: $input) { applied } }": types.ClaimTestSuspendJobsDocument,
    "mutation ClaimTestResumeJobs($input: JobIdsInput!) { resumeJobs(input: $input) { applied } }": types.ClaimTestResumeJobsDocument,
    "query ClaimTestJob($id: ID!) { job(id: $id) { status taskCounts { running queued } } }": types.ClaimTestJobDocument,
    "\n  query ClaimTestWorkers { workers { name lastSeenAt tasks { id status } } worker(name: \"w-view\") { name tasks { id } } }\n": types.ClaimTestWorkersDocument,
    "\n  mutation ConcurrencyConclude($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied } }\n": types.ConcurrencyConcludeDocument,
    "\n  mutation ConcurrencySuspendJobs($input: JobIdsInput!) { suspendJobs(input: $input) { applied } }\n": types.ConcurrencySuspendJobsDocument,
    "\n  mutation ConcurrencyResumeJobs($input: JobIdsInput!) { resumeJobs(input: $input) { applied } }\n": types.ConcurrencyResumeJobsDocument,
    "\n  mutation SeedSuspendJobs($input: JobIdsInput!) {\n    suspendJobs(input: $input) { applied jobs { id status suspended taskCounts { suspended queued pending running } } errors { jobId index code message } }\n  }\n": types.SeedSuspendJobsDocument,
    "\n  mutation SeedResumeJobs($input: JobIdsInput!) {\n    resumeJobs(input: $input) { applied jobs { id status suspended taskCounts { suspended queued pending running } } errors { jobId index code message } }\n  }\n": types.SeedResumeJobsDocument,
    "\n  mutation SeedPauseThread($input: ThreadInput!) { pauseThread(input: $input) { thread { name paused status } } }\n": types.SeedPauseThreadDocument,
    "\n  mutation SeedResumeThread($input: ThreadInput!) { resumeThread(input: $input) { thread { name paused status } } }\n": types.SeedResumeThreadDocument,
    "\n  query SeedTask($id: ID!) { task(id: $id) { id status allowedOperations residentOn leaseExpiresAt progress } }\n": types.SeedTaskDocument,
    "\n  query SeedJob($id: ID!) { job(id: $id) { id status suspended taskCounts { total pending queued running suspended cancelling completed failed cancelled } } }\n": types.SeedJobDocument,
    "\n  mutation SeedConclude($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied ids errors { code taskId status } } }\n": types.SeedConcludeDocument,
    "\n  mutation ConcludeTaskTest($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) {\n      applied ids\n      tasks { id status result resultType errorInfo progress finishedAt residentOn leaseExpiresAt }\n      errors { taskId index code message status }\n    }\n  }\n": types.ConcludeTaskTestDocument,
    "query ConcludeJobStatus($id: ID!) { job(id: $id) { status } }": types.ConcludeJobStatusDocument,
    "\n  mutation ConcludeTasksTest($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) {\n      applied ids\n      tasks { id status result resultType errorInfo progress finishedAt residentOn leaseExpiresAt }\n      errors { taskId index code message status }\n    }\n  }\n": types.ConcludeTasksTestDocument,
    "\n  mutation ConcludeTasksTestLean($input: ConcludeTasksInput!) { concludeTasks(input: $input) { applied errors { index code } } }\n": types.ConcludeTasksTestLeanDocument,
    "\n  mutation ConcludeTasksTestSingle($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied errors { index code } } }\n": types.ConcludeTasksTestSingleDocument,
    "query ConcludeTasksJobStatus($id: ID!) { job(id: $id) { status } }": types.ConcludeTasksJobStatusDocument,
    "\n  mutation EventOrderRun($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n": types.EventOrderRunDocument,
    "\n  mutation EventOrderSuspend($input: TaskCommandInput!) {\n    suspendTasks(input: $input) { applied }\n  }\n": types.EventOrderSuspendDocument,
    "\n  mutation EventsRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n": types.EventsRunTasksDocument,
    "\n  mutation EventsSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { id } }\n  }\n": types.EventsSubmitJobDocument,
    "\n  query EventsPage($filter: TaskEventFilter, $first: Int, $after: String) {\n    taskEvents(filter: $filter, first: $first, after: $after) {\n      edges { cursor node { cursor kind taskId status progress at task { id name } } }\n      nodes { cursor }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.EventsPageDocument,
    "\n  query EventsTaskLogs($ids: [ID!], $first: Int, $after: String) {\n    tasks(filter: { ids: $ids }, first: 500) {\n      nodes { id events(first: $first, after: $after) { nodes { kind taskId } pageInfo { hasNextPage endCursor } } }\n    }\n  }\n": types.EventsTaskLogsDocument,
    "\n    subscription EventsProgress($filter: TaskEventFilter, $after: String) {\n      taskEvents(filter: $filter, after: $after) { kind taskId progress status task { progress message } }\n    }\n  ": types.EventsProgressDocument,
    "\n  mutation QueriesSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id index } }\n  }\n": types.QueriesSubmitDocument,
    "\n  mutation QueriesRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids }\n  }\n": types.QueriesRunDocument,
    "\n  query QueriesListTasks($filter: TaskFilter, $first: Int, $after: String) {\n    tasks(filter: $filter, first: $first, after: $after) {\n      totalCount\n      edges { cursor node { id name } }\n      nodes { id name status index }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.QueriesListTasksDocument,
    "\n    query QueriesLookup($id: ID!) {\n      task(id: $id) { id name job { id name } parent { id } subtasks { totalCount nodes { id } } }\n      job(id: $id) { id name }\n      node(id: $id) { id __typename ... on Task { name } ... on Job { name } }\n    }\n  ": types.QueriesLookupDocument,
    "\n    query QueriesJobs($filter: JobFilter, $first: Int, $after: String) {\n      jobs(filter: $filter, first: $first, after: $after) {\n        totalCount\n        nodes { id name status progress suspended taskCounts { total pending queued running suspended cancelling completed failed cancelled } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  ": types.QueriesJobsDocument,
    "\n    query QueriesJobTasks($id: ID!, $status: [TaskStatus!], $first: Int, $after: String) {\n      job(id: $id) {\n        tasks(status: $status, first: $first, after: $after) { totalCount nodes { index status } pageInfo { hasNextPage endCursor } }\n      }\n    }\n  ": types.QueriesJobTasksDocument,
    "query QueriesJobProgress($id: ID!) { job(id: $id) { status progress taskCounts { completed running } } }": types.QueriesJobProgressDocument,
    "\n    query QueriesThread($name: String!) {\n      thread(name: $name) {\n        name status paused head { id status } taskCounts { total queued pending }\n        tasks(first: 10) { totalCount nodes { id } }\n      }\n    }\n  ": types.QueriesThreadDocument,
    "\n    query QueriesThreads($first: Int, $after: String) {\n      threads(first: $first, after: $after) { nodes { name status } pageInfo { hasNextPage endCursor } }\n    }\n  ": types.QueriesThreadsDocument,
    "\n    query QueriesWide($first: Int) {\n      tasks(first: $first) {\n        nodes {\n          id status allowedOperations\n          job { id name status progress taskCounts { total } }\n          thread { name status paused head { id } taskCounts { total } }\n          parent { id name job { name } }\n        }\n      }\n    }\n  ": types.QueriesWideDocument,
    "\n  mutation ReadYourWritesRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids cursor errors { code } }\n  }\n": types.ReadYourWritesRunDocument,
    "\n  mutation ReadYourWritesSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied cursor tasks { id } errors { code } }\n  }\n": types.ReadYourWritesSubmitDocument,
    "\n  mutation ReadYourWritesCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) { applied ids cursor errors { code } }\n  }\n": types.ReadYourWritesCancelDocument,
    "\n  mutation ReadYourWritesDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) { applied ids cursor errors { code } }\n  }\n": types.ReadYourWritesDestroyDocument,
    "\n  mutation ReadYourWritesComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) { applied ids cursor errors { code } }\n  }\n": types.ReadYourWritesCompleteDocument,
    "\n  mutation ReadYourWritesConclude($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) { applied ids cursor errors { code } }\n  }\n": types.ReadYourWritesConcludeDocument,
    "\n  mutation ReadYourWritesConcludeMany($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) { applied ids cursor errors { code } }\n  }\n": types.ReadYourWritesConcludeManyDocument,
    "\n  mutation RunFamilySubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) {\n      applied\n      errors { index code message taskId status }\n      job { id name priority status suspended taskCounts { total pending queued suspended } }\n      tasks { id index name status priority conf thread { name } parent { id } refId open archive auto maxAttempts timeoutMs description }\n    }\n  }\n": types.RunFamilySubmitJobDocument,
    "\n  mutation RunFamilyRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) {\n      applied\n      ids\n      errors { index code message taskId status }\n      tasks { id index name status job { id } }\n    }\n  }\n": types.RunFamilyRunTasksDocument,
    "\n        mutation RunFamilyBulk($input: SubmitJobInput!) {\n          submitJob(input: $input) { applied job { taskCounts { total } } }\n        }\n      ": types.RunFamilyBulkDocument,
    "\n  query ConcurrencyEventLog($after: String, $first: Int) {\n    taskEvents(after: $after, first: $first) {\n      nodes { cursor thread }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ConcurrencyEventLogDocument,
    "\n    subscription ConcurrencyEvents($after: String) {\n      taskEvents(after: $after) { cursor thread }\n    }\n  ": types.ConcurrencyEventsDocument,
    "\n  mutation SubsRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n": types.SubsRunTasksDocument,
    "\n  mutation SubsSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { id } tasks { id } }\n  }\n": types.SubsSubmitJobDocument,
    "\n  query SubsEventLog($filter: TaskEventFilter, $first: Int, $after: String) {\n    taskEvents(filter: $filter, first: $first, after: $after) {\n      nodes { cursor kind taskId jobId thread previousStatus status }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.SubsEventLogDocument,
    "\n    subscription SubsTaskEvents($filter: TaskEventFilter, $after: String) {\n      taskEvents(filter: $filter, after: $after) {\n        cursor kind taskId jobId thread previousStatus status progress at\n        task { id name status }\n      }\n    }\n  ": types.SubsTaskEventsDocument,
    "\n    subscription SubsStatusChanged($filter: TaskEventFilter, $after: String) {\n      taskStatusChanged(filter: $filter, after: $after) { cursor kind taskId previousStatus status }\n    }\n  ": types.SubsStatusChangedDocument,
    "\n    subscription SubsJobStatusChanged($jobId: ID, $after: String) {\n      jobStatusChanged(jobId: $jobId, after: $after) { cursor jobId previousStatus status job { id name } }\n    }\n  ": types.SubsJobStatusChangedDocument,
    "\n  mutation CommandCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandCancelDocument,
    "\n  mutation CommandDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandDestroyDocument,
    "\n  mutation CommandSuspend($input: TaskCommandInput!) {\n    suspendTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandSuspendDocument,
    "\n  mutation CommandFail($input: TaskCommandInput!) {\n    failTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandFailDocument,
    "\n  mutation CommandClean($input: TaskCommandInput!) {\n    cleanTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandCleanDocument,
    "\n  mutation CommandRequeue($input: TaskCommandInput!) {\n    requeueTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandRequeueDocument,
    "\n  mutation CommandResume($input: TaskCommandInput!) {\n    resumeTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandResumeDocument,
    "\n  mutation CommandResumeFailed($input: TaskCommandInput!) {\n    resumeFailedTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandResumeFailedDocument,
    "\n  mutation CommandComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandCompleteDocument,
    "\n  mutation CommandPend($input: TaskCommandInput!) {\n    pendTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandPendDocument,
    "\n  mutation CommandReleasePending($input: TaskCommandInput!) {\n    releasePendingTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n": types.CommandReleasePendingDocument,
    "\n  mutation SetupSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id index } }\n  }\n": types.SetupSubmitJobDocument,
    "\n  mutation SetupRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids }\n  }\n": types.SetupRunTasksDocument,
    "\n  mutation WorkerTestClaim($input: ClaimTasksInput!) {\n    claimTasks(input: $input) {\n      tasks { id name status priority attempts residentOn startedAt leaseExpiresAt thread { name } job { id } }\n    }\n  }\n": types.WorkerTestClaimDocument,
    "\n  mutation WorkerTestHeartbeat($input: HeartbeatInput!) {\n    heartbeat(input: $input) { results { taskId directive leaseExpiresAt } }\n  }\n": types.WorkerTestHeartbeatDocument,
    "\n  mutation WorkerTestRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids errors { index code message } }\n  }\n": types.WorkerTestRunDocument,
    "\n  mutation WorkerTestSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id } errors { index code message } }\n  }\n": types.WorkerTestSubmitDocument,
    "\n  mutation WorkerTestConclude($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) { applied ids errors { code message } }\n  }\n": types.WorkerTestConcludeDocument,
    "\n  mutation WorkerTestCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) { applied ids errors { code message } }\n  }\n": types.WorkerTestCancelDocument,
    "\n  mutation WorkerTestDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) { applied ids errors { code message } }\n  }\n": types.WorkerTestDestroyDocument,
    "\n  query WorkerTestTask($id: ID!) {\n    task(id: $id) { id status attempts residentOn errorInfo progress message result leaseExpiresAt finishedAt }\n  }\n": types.WorkerTestTaskDocument,
    "\n  query WorkerTestThread($name: String!) { thread(name: $name) { name status paused head { id status } } }\n": types.WorkerTestThreadDocument,
    "query SweeperTestJob($id: ID!) { job(id: $id) { status } }": types.SweeperTestJobDocument,
    "\n  query TaskTargetIntrospection {\n    __type(name: \"TaskTarget\") { isOneOf }\n  }\n": types.TaskTargetIntrospectionDocument,
    "\n  mutation TaskTargetMember($ids: [ID!]!) {\n    cancelTasks(input: { target: { ids: $ids } }) { applied ids }\n  }\n": types.TaskTargetMemberDocument,
    "\n  query WorkerTestJobResult($id: ID!) {\n    job(id: $id) { status tasks(first: 50) { nodes { index status result errorInfo progress residentOn attempts } } }\n  }\n": types.WorkerTestJobResultDocument,
    "mutation WorkerTestFail($input: TaskCommandInput!) { failTasks(input: $input) { applied } }": types.WorkerTestFailDocument,
    "\n  mutation ResubscribeRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids cursor }\n  }\n": types.ResubscribeRunDocument,
    "\n  mutation ResubscribeCommand($cancel: TaskCommandInput!, $suspend: TaskCommandInput!) {\n    cancelTasks(input: $cancel) { applied cursor }\n    suspendTasks(input: $suspend) { applied cursor }\n  }\n": types.ResubscribeCommandDocument,
    "\n  mutation ResubscribeRequeue($input: TaskCommandInput!) {\n    requeueTasks(input: $input) { applied cursor }\n  }\n": types.ResubscribeRequeueDocument,
    "\n  mutation ResubscribeComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) { applied cursor }\n  }\n": types.ResubscribeCompleteDocument,
    "\n  query ResubscribeLog($after: String) {\n    taskEvents(first: 500, after: $after) {\n      edges { node { cursor kind taskId status } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ResubscribeLogDocument,
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
export function graphql(source: "\n  fragment WorkerClaimedTask on Task {\n    id\n    name\n    conf\n    attempts\n    priority\n    index\n    refId\n    timeoutMs\n    leaseExpiresAt\n    job { id }\n    thread { name }\n  }\n"): (typeof documents)["\n  fragment WorkerClaimedTask on Task {\n    id\n    name\n    conf\n    attempts\n    priority\n    index\n    refId\n    timeoutMs\n    leaseExpiresAt\n    job { id }\n    thread { name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerClaimTasks($input: ClaimTasksInput!) {\n    claimTasks(input: $input) {\n      tasks { ...WorkerClaimedTask }\n    }\n  }\n"): (typeof documents)["\n  mutation WorkerClaimTasks($input: ClaimTasksInput!) {\n    claimTasks(input: $input) {\n      tasks { ...WorkerClaimedTask }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerHeartbeat($input: HeartbeatInput!) {\n    heartbeat(input: $input) {\n      results { taskId directive leaseExpiresAt }\n    }\n  }\n"): (typeof documents)["\n  mutation WorkerHeartbeat($input: HeartbeatInput!) {\n    heartbeat(input: $input) {\n      results { taskId directive leaseExpiresAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerConcludeTasks($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) {\n      applied\n      ids\n      errors { index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation WorkerConcludeTasks($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) {\n      applied\n      ids\n      errors { index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerConcludeAndClaim($conclude: ConcludeTasksInput!, $claim: ClaimTasksInput!) {\n    concludeTasks(input: $conclude) {\n      applied\n      ids\n      errors { index code message status }\n    }\n    claimTasks(input: $claim) {\n      tasks { ...WorkerClaimedTask }\n    }\n  }\n"): (typeof documents)["\n  mutation WorkerConcludeAndClaim($conclude: ConcludeTasksInput!, $claim: ClaimTasksInput!) {\n    concludeTasks(input: $conclude) {\n      applied\n      ids\n      errors { index code message status }\n    }\n    claimTasks(input: $claim) {\n      tasks { ...WorkerClaimedTask }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ClaimTestPause($input: ThreadInput!) { pauseThread(input: $input) { thread { status paused } } }"): (typeof documents)["mutation ClaimTestPause($input: ThreadInput!) { pauseThread(input: $input) { thread { status paused } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ClaimTestResume($input: ThreadInput!) { resumeThread(input: $input) { thread { status paused } } }"): (typeof documents)["mutation ClaimTestResume($input: ThreadInput!) { resumeThread(input: $input) { thread { status paused } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ClaimTestSuspendJobs($input: JobIdsInput!) { suspendJobs(input: $input) { applied } }"): (typeof documents)["mutation ClaimTestSuspendJobs($input: JobIdsInput!) { suspendJobs(input: $input) { applied } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ClaimTestResumeJobs($input: JobIdsInput!) { resumeJobs(input: $input) { applied } }"): (typeof documents)["mutation ClaimTestResumeJobs($input: JobIdsInput!) { resumeJobs(input: $input) { applied } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ClaimTestJob($id: ID!) { job(id: $id) { status taskCounts { running queued } } }"): (typeof documents)["query ClaimTestJob($id: ID!) { job(id: $id) { status taskCounts { running queued } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClaimTestWorkers { workers { name lastSeenAt tasks { id status } } worker(name: \"w-view\") { name tasks { id } } }\n"): (typeof documents)["\n  query ClaimTestWorkers { workers { name lastSeenAt tasks { id status } } worker(name: \"w-view\") { name tasks { id } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConcurrencyConclude($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied } }\n"): (typeof documents)["\n  mutation ConcurrencyConclude($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConcurrencySuspendJobs($input: JobIdsInput!) { suspendJobs(input: $input) { applied } }\n"): (typeof documents)["\n  mutation ConcurrencySuspendJobs($input: JobIdsInput!) { suspendJobs(input: $input) { applied } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConcurrencyResumeJobs($input: JobIdsInput!) { resumeJobs(input: $input) { applied } }\n"): (typeof documents)["\n  mutation ConcurrencyResumeJobs($input: JobIdsInput!) { resumeJobs(input: $input) { applied } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SeedSuspendJobs($input: JobIdsInput!) {\n    suspendJobs(input: $input) { applied jobs { id status suspended taskCounts { suspended queued pending running } } errors { jobId index code message } }\n  }\n"): (typeof documents)["\n  mutation SeedSuspendJobs($input: JobIdsInput!) {\n    suspendJobs(input: $input) { applied jobs { id status suspended taskCounts { suspended queued pending running } } errors { jobId index code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SeedResumeJobs($input: JobIdsInput!) {\n    resumeJobs(input: $input) { applied jobs { id status suspended taskCounts { suspended queued pending running } } errors { jobId index code message } }\n  }\n"): (typeof documents)["\n  mutation SeedResumeJobs($input: JobIdsInput!) {\n    resumeJobs(input: $input) { applied jobs { id status suspended taskCounts { suspended queued pending running } } errors { jobId index code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SeedPauseThread($input: ThreadInput!) { pauseThread(input: $input) { thread { name paused status } } }\n"): (typeof documents)["\n  mutation SeedPauseThread($input: ThreadInput!) { pauseThread(input: $input) { thread { name paused status } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SeedResumeThread($input: ThreadInput!) { resumeThread(input: $input) { thread { name paused status } } }\n"): (typeof documents)["\n  mutation SeedResumeThread($input: ThreadInput!) { resumeThread(input: $input) { thread { name paused status } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SeedTask($id: ID!) { task(id: $id) { id status allowedOperations residentOn leaseExpiresAt progress } }\n"): (typeof documents)["\n  query SeedTask($id: ID!) { task(id: $id) { id status allowedOperations residentOn leaseExpiresAt progress } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SeedJob($id: ID!) { job(id: $id) { id status suspended taskCounts { total pending queued running suspended cancelling completed failed cancelled } } }\n"): (typeof documents)["\n  query SeedJob($id: ID!) { job(id: $id) { id status suspended taskCounts { total pending queued running suspended cancelling completed failed cancelled } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SeedConclude($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied ids errors { code taskId status } } }\n"): (typeof documents)["\n  mutation SeedConclude($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied ids errors { code taskId status } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConcludeTaskTest($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) {\n      applied ids\n      tasks { id status result resultType errorInfo progress finishedAt residentOn leaseExpiresAt }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation ConcludeTaskTest($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) {\n      applied ids\n      tasks { id status result resultType errorInfo progress finishedAt residentOn leaseExpiresAt }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ConcludeJobStatus($id: ID!) { job(id: $id) { status } }"): (typeof documents)["query ConcludeJobStatus($id: ID!) { job(id: $id) { status } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConcludeTasksTest($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) {\n      applied ids\n      tasks { id status result resultType errorInfo progress finishedAt residentOn leaseExpiresAt }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation ConcludeTasksTest($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) {\n      applied ids\n      tasks { id status result resultType errorInfo progress finishedAt residentOn leaseExpiresAt }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConcludeTasksTestLean($input: ConcludeTasksInput!) { concludeTasks(input: $input) { applied errors { index code } } }\n"): (typeof documents)["\n  mutation ConcludeTasksTestLean($input: ConcludeTasksInput!) { concludeTasks(input: $input) { applied errors { index code } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConcludeTasksTestSingle($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied errors { index code } } }\n"): (typeof documents)["\n  mutation ConcludeTasksTestSingle($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied errors { index code } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ConcludeTasksJobStatus($id: ID!) { job(id: $id) { status } }"): (typeof documents)["query ConcludeTasksJobStatus($id: ID!) { job(id: $id) { status } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EventOrderRun($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n"): (typeof documents)["\n  mutation EventOrderRun($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EventOrderSuspend($input: TaskCommandInput!) {\n    suspendTasks(input: $input) { applied }\n  }\n"): (typeof documents)["\n  mutation EventOrderSuspend($input: TaskCommandInput!) {\n    suspendTasks(input: $input) { applied }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EventsRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n"): (typeof documents)["\n  mutation EventsRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EventsSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { id } }\n  }\n"): (typeof documents)["\n  mutation EventsSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventsPage($filter: TaskEventFilter, $first: Int, $after: String) {\n    taskEvents(filter: $filter, first: $first, after: $after) {\n      edges { cursor node { cursor kind taskId status progress at task { id name } } }\n      nodes { cursor }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query EventsPage($filter: TaskEventFilter, $first: Int, $after: String) {\n    taskEvents(filter: $filter, first: $first, after: $after) {\n      edges { cursor node { cursor kind taskId status progress at task { id name } } }\n      nodes { cursor }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventsTaskLogs($ids: [ID!], $first: Int, $after: String) {\n    tasks(filter: { ids: $ids }, first: 500) {\n      nodes { id events(first: $first, after: $after) { nodes { kind taskId } pageInfo { hasNextPage endCursor } } }\n    }\n  }\n"): (typeof documents)["\n  query EventsTaskLogs($ids: [ID!], $first: Int, $after: String) {\n    tasks(filter: { ids: $ids }, first: 500) {\n      nodes { id events(first: $first, after: $after) { nodes { kind taskId } pageInfo { hasNextPage endCursor } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    subscription EventsProgress($filter: TaskEventFilter, $after: String) {\n      taskEvents(filter: $filter, after: $after) { kind taskId progress status task { progress message } }\n    }\n  "): (typeof documents)["\n    subscription EventsProgress($filter: TaskEventFilter, $after: String) {\n      taskEvents(filter: $filter, after: $after) { kind taskId progress status task { progress message } }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation QueriesSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id index } }\n  }\n"): (typeof documents)["\n  mutation QueriesSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id index } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation QueriesRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids }\n  }\n"): (typeof documents)["\n  mutation QueriesRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query QueriesListTasks($filter: TaskFilter, $first: Int, $after: String) {\n    tasks(filter: $filter, first: $first, after: $after) {\n      totalCount\n      edges { cursor node { id name } }\n      nodes { id name status index }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query QueriesListTasks($filter: TaskFilter, $first: Int, $after: String) {\n    tasks(filter: $filter, first: $first, after: $after) {\n      totalCount\n      edges { cursor node { id name } }\n      nodes { id name status index }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query QueriesLookup($id: ID!) {\n      task(id: $id) { id name job { id name } parent { id } subtasks { totalCount nodes { id } } }\n      job(id: $id) { id name }\n      node(id: $id) { id __typename ... on Task { name } ... on Job { name } }\n    }\n  "): (typeof documents)["\n    query QueriesLookup($id: ID!) {\n      task(id: $id) { id name job { id name } parent { id } subtasks { totalCount nodes { id } } }\n      job(id: $id) { id name }\n      node(id: $id) { id __typename ... on Task { name } ... on Job { name } }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query QueriesJobs($filter: JobFilter, $first: Int, $after: String) {\n      jobs(filter: $filter, first: $first, after: $after) {\n        totalCount\n        nodes { id name status progress suspended taskCounts { total pending queued running suspended cancelling completed failed cancelled } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  "): (typeof documents)["\n    query QueriesJobs($filter: JobFilter, $first: Int, $after: String) {\n      jobs(filter: $filter, first: $first, after: $after) {\n        totalCount\n        nodes { id name status progress suspended taskCounts { total pending queued running suspended cancelling completed failed cancelled } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query QueriesJobTasks($id: ID!, $status: [TaskStatus!], $first: Int, $after: String) {\n      job(id: $id) {\n        tasks(status: $status, first: $first, after: $after) { totalCount nodes { index status } pageInfo { hasNextPage endCursor } }\n      }\n    }\n  "): (typeof documents)["\n    query QueriesJobTasks($id: ID!, $status: [TaskStatus!], $first: Int, $after: String) {\n      job(id: $id) {\n        tasks(status: $status, first: $first, after: $after) { totalCount nodes { index status } pageInfo { hasNextPage endCursor } }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query QueriesJobProgress($id: ID!) { job(id: $id) { status progress taskCounts { completed running } } }"): (typeof documents)["query QueriesJobProgress($id: ID!) { job(id: $id) { status progress taskCounts { completed running } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query QueriesThread($name: String!) {\n      thread(name: $name) {\n        name status paused head { id status } taskCounts { total queued pending }\n        tasks(first: 10) { totalCount nodes { id } }\n      }\n    }\n  "): (typeof documents)["\n    query QueriesThread($name: String!) {\n      thread(name: $name) {\n        name status paused head { id status } taskCounts { total queued pending }\n        tasks(first: 10) { totalCount nodes { id } }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query QueriesThreads($first: Int, $after: String) {\n      threads(first: $first, after: $after) { nodes { name status } pageInfo { hasNextPage endCursor } }\n    }\n  "): (typeof documents)["\n    query QueriesThreads($first: Int, $after: String) {\n      threads(first: $first, after: $after) { nodes { name status } pageInfo { hasNextPage endCursor } }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query QueriesWide($first: Int) {\n      tasks(first: $first) {\n        nodes {\n          id status allowedOperations\n          job { id name status progress taskCounts { total } }\n          thread { name status paused head { id } taskCounts { total } }\n          parent { id name job { name } }\n        }\n      }\n    }\n  "): (typeof documents)["\n    query QueriesWide($first: Int) {\n      tasks(first: $first) {\n        nodes {\n          id status allowedOperations\n          job { id name status progress taskCounts { total } }\n          thread { name status paused head { id } taskCounts { total } }\n          parent { id name job { name } }\n        }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReadYourWritesRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids cursor errors { code } }\n  }\n"): (typeof documents)["\n  mutation ReadYourWritesRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids cursor errors { code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReadYourWritesSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied cursor tasks { id } errors { code } }\n  }\n"): (typeof documents)["\n  mutation ReadYourWritesSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied cursor tasks { id } errors { code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReadYourWritesCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) { applied ids cursor errors { code } }\n  }\n"): (typeof documents)["\n  mutation ReadYourWritesCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) { applied ids cursor errors { code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReadYourWritesDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) { applied ids cursor errors { code } }\n  }\n"): (typeof documents)["\n  mutation ReadYourWritesDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) { applied ids cursor errors { code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReadYourWritesComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) { applied ids cursor errors { code } }\n  }\n"): (typeof documents)["\n  mutation ReadYourWritesComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) { applied ids cursor errors { code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReadYourWritesConclude($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) { applied ids cursor errors { code } }\n  }\n"): (typeof documents)["\n  mutation ReadYourWritesConclude($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) { applied ids cursor errors { code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReadYourWritesConcludeMany($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) { applied ids cursor errors { code } }\n  }\n"): (typeof documents)["\n  mutation ReadYourWritesConcludeMany($input: ConcludeTasksInput!) {\n    concludeTasks(input: $input) { applied ids cursor errors { code } }\n  }\n"];
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
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConcurrencyEventLog($after: String, $first: Int) {\n    taskEvents(after: $after, first: $first) {\n      nodes { cursor thread }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ConcurrencyEventLog($after: String, $first: Int) {\n    taskEvents(after: $after, first: $first) {\n      nodes { cursor thread }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    subscription ConcurrencyEvents($after: String) {\n      taskEvents(after: $after) { cursor thread }\n    }\n  "): (typeof documents)["\n    subscription ConcurrencyEvents($after: String) {\n      taskEvents(after: $after) { cursor thread }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubsRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n"): (typeof documents)["\n  mutation SubsRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { ids }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubsSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { id } tasks { id } }\n  }\n"): (typeof documents)["\n  mutation SubsSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { id } tasks { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SubsEventLog($filter: TaskEventFilter, $first: Int, $after: String) {\n    taskEvents(filter: $filter, first: $first, after: $after) {\n      nodes { cursor kind taskId jobId thread previousStatus status }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query SubsEventLog($filter: TaskEventFilter, $first: Int, $after: String) {\n    taskEvents(filter: $filter, first: $first, after: $after) {\n      nodes { cursor kind taskId jobId thread previousStatus status }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    subscription SubsTaskEvents($filter: TaskEventFilter, $after: String) {\n      taskEvents(filter: $filter, after: $after) {\n        cursor kind taskId jobId thread previousStatus status progress at\n        task { id name status }\n      }\n    }\n  "): (typeof documents)["\n    subscription SubsTaskEvents($filter: TaskEventFilter, $after: String) {\n      taskEvents(filter: $filter, after: $after) {\n        cursor kind taskId jobId thread previousStatus status progress at\n        task { id name status }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    subscription SubsStatusChanged($filter: TaskEventFilter, $after: String) {\n      taskStatusChanged(filter: $filter, after: $after) { cursor kind taskId previousStatus status }\n    }\n  "): (typeof documents)["\n    subscription SubsStatusChanged($filter: TaskEventFilter, $after: String) {\n      taskStatusChanged(filter: $filter, after: $after) { cursor kind taskId previousStatus status }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    subscription SubsJobStatusChanged($jobId: ID, $after: String) {\n      jobStatusChanged(jobId: $jobId, after: $after) { cursor jobId previousStatus status job { id name } }\n    }\n  "): (typeof documents)["\n    subscription SubsJobStatusChanged($jobId: ID, $after: String) {\n      jobStatusChanged(jobId: $jobId, after: $after) { cursor jobId previousStatus status job { id name } }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandSuspend($input: TaskCommandInput!) {\n    suspendTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandSuspend($input: TaskCommandInput!) {\n    suspendTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandFail($input: TaskCommandInput!) {\n    failTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandFail($input: TaskCommandInput!) {\n    failTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandClean($input: TaskCommandInput!) {\n    cleanTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandClean($input: TaskCommandInput!) {\n    cleanTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandRequeue($input: TaskCommandInput!) {\n    requeueTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandRequeue($input: TaskCommandInput!) {\n    requeueTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandResume($input: TaskCommandInput!) {\n    resumeTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandResume($input: TaskCommandInput!) {\n    resumeTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandResumeFailed($input: TaskCommandInput!) {\n    resumeFailedTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandResumeFailed($input: TaskCommandInput!) {\n    resumeFailedTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandPend($input: TaskCommandInput!) {\n    pendTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandPend($input: TaskCommandInput!) {\n    pendTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommandReleasePending($input: TaskCommandInput!) {\n    releasePendingTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"): (typeof documents)["\n  mutation CommandReleasePending($input: TaskCommandInput!) {\n    releasePendingTasks(input: $input) {\n      applied ids\n      tasks { id status index progress residentOn allowedOperations }\n      errors { taskId index code message status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetupSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id index } }\n  }\n"): (typeof documents)["\n  mutation SetupSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id index } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetupRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids }\n  }\n"): (typeof documents)["\n  mutation SetupRunTasks($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerTestClaim($input: ClaimTasksInput!) {\n    claimTasks(input: $input) {\n      tasks { id name status priority attempts residentOn startedAt leaseExpiresAt thread { name } job { id } }\n    }\n  }\n"): (typeof documents)["\n  mutation WorkerTestClaim($input: ClaimTasksInput!) {\n    claimTasks(input: $input) {\n      tasks { id name status priority attempts residentOn startedAt leaseExpiresAt thread { name } job { id } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerTestHeartbeat($input: HeartbeatInput!) {\n    heartbeat(input: $input) { results { taskId directive leaseExpiresAt } }\n  }\n"): (typeof documents)["\n  mutation WorkerTestHeartbeat($input: HeartbeatInput!) {\n    heartbeat(input: $input) { results { taskId directive leaseExpiresAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerTestRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids errors { index code message } }\n  }\n"): (typeof documents)["\n  mutation WorkerTestRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids errors { index code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerTestSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id } errors { index code message } }\n  }\n"): (typeof documents)["\n  mutation WorkerTestSubmit($input: SubmitJobInput!) {\n    submitJob(input: $input) { applied job { id } tasks { id } errors { index code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerTestConclude($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) { applied ids errors { code message } }\n  }\n"): (typeof documents)["\n  mutation WorkerTestConclude($input: ConcludeTaskInput!) {\n    concludeTask(input: $input) { applied ids errors { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerTestCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) { applied ids errors { code message } }\n  }\n"): (typeof documents)["\n  mutation WorkerTestCancel($input: TaskCommandInput!) {\n    cancelTasks(input: $input) { applied ids errors { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkerTestDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) { applied ids errors { code message } }\n  }\n"): (typeof documents)["\n  mutation WorkerTestDestroy($input: TaskCommandInput!) {\n    destroyTasks(input: $input) { applied ids errors { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkerTestTask($id: ID!) {\n    task(id: $id) { id status attempts residentOn errorInfo progress message result leaseExpiresAt finishedAt }\n  }\n"): (typeof documents)["\n  query WorkerTestTask($id: ID!) {\n    task(id: $id) { id status attempts residentOn errorInfo progress message result leaseExpiresAt finishedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkerTestThread($name: String!) { thread(name: $name) { name status paused head { id status } } }\n"): (typeof documents)["\n  query WorkerTestThread($name: String!) { thread(name: $name) { name status paused head { id status } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SweeperTestJob($id: ID!) { job(id: $id) { status } }"): (typeof documents)["query SweeperTestJob($id: ID!) { job(id: $id) { status } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskTargetIntrospection {\n    __type(name: \"TaskTarget\") { isOneOf }\n  }\n"): (typeof documents)["\n  query TaskTargetIntrospection {\n    __type(name: \"TaskTarget\") { isOneOf }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TaskTargetMember($ids: [ID!]!) {\n    cancelTasks(input: { target: { ids: $ids } }) { applied ids }\n  }\n"): (typeof documents)["\n  mutation TaskTargetMember($ids: [ID!]!) {\n    cancelTasks(input: { target: { ids: $ids } }) { applied ids }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkerTestJobResult($id: ID!) {\n    job(id: $id) { status tasks(first: 50) { nodes { index status result errorInfo progress residentOn attempts } } }\n  }\n"): (typeof documents)["\n  query WorkerTestJobResult($id: ID!) {\n    job(id: $id) { status tasks(first: 50) { nodes { index status result errorInfo progress residentOn attempts } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation WorkerTestFail($input: TaskCommandInput!) { failTasks(input: $input) { applied } }"): (typeof documents)["mutation WorkerTestFail($input: TaskCommandInput!) { failTasks(input: $input) { applied } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResubscribeRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids cursor }\n  }\n"): (typeof documents)["\n  mutation ResubscribeRun($input: RunTasksInput!) {\n    runTasks(input: $input) { applied ids cursor }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResubscribeCommand($cancel: TaskCommandInput!, $suspend: TaskCommandInput!) {\n    cancelTasks(input: $cancel) { applied cursor }\n    suspendTasks(input: $suspend) { applied cursor }\n  }\n"): (typeof documents)["\n  mutation ResubscribeCommand($cancel: TaskCommandInput!, $suspend: TaskCommandInput!) {\n    cancelTasks(input: $cancel) { applied cursor }\n    suspendTasks(input: $suspend) { applied cursor }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResubscribeRequeue($input: TaskCommandInput!) {\n    requeueTasks(input: $input) { applied cursor }\n  }\n"): (typeof documents)["\n  mutation ResubscribeRequeue($input: TaskCommandInput!) {\n    requeueTasks(input: $input) { applied cursor }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResubscribeComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) { applied cursor }\n  }\n"): (typeof documents)["\n  mutation ResubscribeComplete($input: TaskCommandInput!) {\n    completeTasks(input: $input) { applied cursor }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ResubscribeLog($after: String) {\n    taskEvents(first: 500, after: $after) {\n      edges { node { cursor kind taskId status } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ResubscribeLog($after: String) {\n    taskEvents(first: 500, after: $after) {\n      edges { node { cursor kind taskId status } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;