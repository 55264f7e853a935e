import { builder } from './builder.ts';

/** Tasks and jobs are nodes; their ids are plain UUIDs, the same ids every other field takes. */
export const NodeInterface = builder.interfaceRef<{ id: string }>('Node').implement({
  // `node` answers with a whole row from the task or the job loader; only a task row has `jobIndex`.
  // (The types themselves have no isTypeOf: the compiled executor would call it on every object of
  // every page, and a page would have to select the column it looks at.)
  resolveType: (value) => ('jobIndex' in value ? 'Task' : 'Job'),
  fields: (t) => ({ id: t.exposeID('id') }),
});

builder.queryField('node', (t) =>
  t.field({
    type: NodeInterface,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, { loaders }) => (await loaders.task.load(id)) ?? (await loaders.job.load(id)),
  }),
);
