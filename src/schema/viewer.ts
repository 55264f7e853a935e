import type { Viewer } from '../domain/roles.ts';
import { builder } from './builder.ts';
import { RoleEnum } from './enums.ts';

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  fields: (t) => ({
    role: t.field({ type: RoleEnum, nullable: false, resolve: (viewer) => viewer.role }),
    tokenName: t.exposeString('tokenName', { nullable: true }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({ type: ViewerRef, nullable: false, resolve: (_root, _args, ctx) => ctx.viewer }),
);
