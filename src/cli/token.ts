/**
 * API tokens from the command line (the way to create the first one):
 *
 *   npm run token -- create --name ci --role OPERATOR   prints the secret, once
 *   npm run token -- list
 *   npm run token -- revoke --name ci
 *
 * It opens the database exactly as the server does (DATABASE_URL, else PGlite in TASKLANE_DATA_DIR).
 * With the embedded PGlite database, stop the server first: one process owns a PGlite data folder.
 */
import { parseArgs } from 'node:util';
import { checkTokenName, insertApiToken, listApiTokens, revokeApiToken, TokenNameTaken } from '../auth/tokens.ts';
import { loadConfig } from '../config.ts';
import { ROLES, type Role } from '../domain/roles.ts';
import { inTransaction, openDatabase } from '../db/database.ts';

const USAGE = `Usage:
  npm run token -- create --name <name> --role <${ROLES.join('|')}>
  npm run token -- list
  npm run token -- revoke --name <name>`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, role: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (!['create', 'list', 'revoke'].includes(command)) throw new UsageError(`Unknown command "${command}"`);
  let name: string | undefined;
  let role: Role | undefined;
  if (command === 'create' || command === 'revoke') {
    if (!values.name) throw new UsageError(`${command} needs --name`);
    try {
      name = checkTokenName(values.name);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (command === 'create') {
    const wanted = values.role?.toUpperCase();
    if (!wanted || !(ROLES as readonly string[]).includes(wanted)) throw new UsageError(`create needs --role ${ROLES.join('|')}`);
    role = wanted as Role;
  }

  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, maxConnections: 1 });
  try {
    if (command === 'create') {
      const { secret } = await inTransaction(database.db, (tx) => insertApiToken(tx, { name: name!, role: role! }));
      // The secret goes to stdout alone so it can be captured (`TOKEN=$(npm run -s token -- create …)`).
      console.error(`Created ${role} token "${name}". Its secret is shown this once; store it now:`);
      console.log(secret);
    } else if (command === 'revoke') {
      const revoked = await inTransaction(database.db, (tx) => revokeApiToken(tx, name!));
      if (!revoked) throw new UsageError(`No active token named "${name}"`);
      console.log(`Revoked token "${name}".`);
    } else {
      const tokens = await listApiTokens(database.db);
      if (tokens.length === 0) console.log('No tokens. The server runs open (everyone ADMIN) on a loopback address only.');
      for (const t of tokens) {
        const state = t.revokedAt ? `revoked ${t.revokedAt}` : 'active';
        console.log(`${t.name}\t${t.role}\t${state}\tcreated ${t.createdAt}\tlast used ${t.lastUsedAt ?? 'never'}`);
      }
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof TokenNameTaken) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
