import { builder } from './builder.ts';

/** Tasks and jobs are nodes; their ids are plain UUIDs, the same ids every other field takes. */
export const NodeInterface = builder.interfaceRef<{ id: string }>('Node').implement({
  fields: (t) => ({ id: t.exposeID('id') }),
});

builder.queryField('node', (t) =>
  t.field({
    type: NodeInterface,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    authScopes: { viewer: true },
    resolve: async (_root, { id }, { loaders }) => (await loaders.task.load(id)) ?? (await loaders.job.load(id)),
  }),
);
