import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';

/**
 * The reads baseline: a hand-written endpoint (node:http + postgres.js + JSON) serving the same
 * rows as `tasks(first: 100) { nodes { id name status job { id name } } }`.
 */
const sql = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => {} });
const server = createServer(async (_req, res) => {
  try {
    const rows = await sql`
      SELECT t.id, t.name, t.status, j.id AS job_id, j.name AS job_name
      FROM tasks t LEFT JOIN jobs j ON j.id = t.job_id
      ORDER BY t.seq LIMIT 100`;
    const nodes = rows.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      job: r.job_id ? { id: r.job_id, name: r.job_name } : null,
    }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { tasks: { nodes } } }));
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}/graphql` }));
});
process.on('SIGTERM', () => {
  server.close();
  void sql.end().then(() => process.exit(0));
});
