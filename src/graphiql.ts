/** The operation GraphiQL opens with: submit a job of three tasks, then list its tasks. */
export const GRAPHIQL_EXAMPLE = `# Welcome to Tasklane. Run "SubmitJob", then "ListTasks" (paste the job id into the variables).
mutation SubmitJob {
  submitJob(input: {
    name: "render-frames"
    tasks: [
      { name: "render", conf: { frame: 1 } }
      { name: "render", conf: { frame: 2 } }
      { name: "render", conf: { frame: 3 } }
    ]
  }) {
    applied
    errors { index code message }
    job { id name status taskCounts { total queued } }
  }
}

query ListTasks($jobId: ID) {
  tasks(filter: { jobId: $jobId }, first: 50) {
    totalCount
    nodes { id name index status conf allowedOperations job { name } }
    pageInfo { hasNextPage endCursor }
  }
}
`;
