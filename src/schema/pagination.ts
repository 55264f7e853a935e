import { decodeSeqCursor, encodeSeqCursor } from '../domain/cursors.ts';
import { pageSize } from '../domain/limits.ts';

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
}

export interface SeqPage {
  afterSeq: number | null;
  limit: number;
}

export function seqPage(args: ConnectionArgs): SeqPage {
  return { afterSeq: decodeSeqCursor(args.after), limit: pageSize(args.first) };
}

/**
 * Builds a connection from a keyset page fetched with one extra row. `hasPreviousPage` is true
 * whenever the page starts after a cursor (forward-only pagination, as the Relay spec allows).
 */
export function seqConnection<T extends { seq: number }>(rows: T[], page: SeqPage) {
  const more = rows.length > page.limit;
  const nodes = more ? rows.slice(0, page.limit) : rows;
  const edges = nodes.map((node) => new SeqEdge(node));
  return {
    edges,
    pageInfo: {
      hasNextPage: more,
      hasPreviousPage: page.afterSeq !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** An edge whose cursor is encoded only if the query asks for it (`nodes` go through edges too). */
class SeqEdge<T extends { seq: number }> {
  constructor(readonly node: T) {}

  get cursor(): string {
    return encodeSeqCursor(this.node.seq);
  }
}
