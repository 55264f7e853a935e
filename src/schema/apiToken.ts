import { checkTokenName, insertApiToken, revokeApiToken, TokenNameTaken } from '../auth/tokens.ts';
import type { Role } from '../domain/roles.ts';
import { inTransaction } from '../db/database.ts';
import { badInput } from '../domain/limits.ts';
import { builder } from './builder.ts';
import { RoleEnum } from './enums.ts';

interface CreatedToken {
  token: string;
  name: string;
  role: Role;
}

const CreateApiTokenPayloadRef = builder.objectRef<CreatedToken>('CreateApiTokenPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { nullable: false, description: 'The secret, shown once.' }),
    name: t.exposeString('name', { nullable: false }),
    role: t.field({ type: RoleEnum, nullable: false, resolve: (created) => created.role }),
  }),
});

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    role: t.field({ type: RoleEnum, required: true }),
  }),
});

builder.mutationField('createApiToken', (t) =>
  t.field({
    type: CreateApiTokenPayloadRef,
    nullable: false,
    description: 'Creates an API token. Its secret is in the answer and nowhere else: store it now.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const name = checkTokenName(input.name);
      try {
        const { secret } = await inTransaction(ctx.db, (tx) => insertApiToken(tx, { name, role: input.role }));
        // Open mode ends now on this instance; other instances learn it from the tokens channel.
        ctx.services.viewers.noteTokenExists();
        ctx.log.info({ tokenName: name, role: input.role, by: ctx.viewer.tokenName }, 'API token created');
        return { token: secret, name, role: input.role };
      } catch (error) {
        if (error instanceof TokenNameTaken) throw badInput(error.message, { field: 'name' });
        throw error;
      }
    },
  }),
);

builder.mutationField('revokeApiToken', (t) =>
  t.boolean({
    nullable: false,
    description: 'Revokes the named token at once, on every instance, including its open subscriptions. False when no active token has that name.',
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, { name }, ctx) => {
      const revoked = await inTransaction(ctx.db, (tx) => revokeApiToken(tx, name.trim()));
      if (revoked) ctx.log.info({ tokenName: name, by: ctx.viewer.tokenName }, 'API token revoked');
      return revoked;
    },
  }),
);
