import { DomainError } from './errors.ts';

/**
 * Opaque keyset cursors. A list cursor is the `seq` of the last row seen, so pages stay stable while
 * rows are inserted. Event cursors are `(txid, id)`; see src/sql/events.ts.
 */
export function encodeSeqCursor(seq: number): string {
  return Buffer.from(`s:${seq}`).toString('base64url');
}

export function decodeSeqCursor(cursor: string | null | undefined): number | null {
  if (cursor == null || cursor === '') return null;
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^s:(\d{1,18})$/.exec(text);
  if (!match) throw badCursor(cursor);
  return Number(match[1]);
}

export interface EventCursor {
  txid: bigint;
  id: bigint;
}

/** Cursor order: by transaction id, then by event id (see src/sql/events.ts for why). */
export function compareCursors(a: EventCursor, b: EventCursor): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/** The cursor of an event row. */
export function cursorOf(row: { txid: number; id: number }): EventCursor {
  return { txid: BigInt(row.txid), id: BigInt(row.id) };
}

export function encodeEventCursor(cursor: EventCursor): string {
  return Buffer.from(`e:${cursor.txid}:${cursor.id}`).toString('base64url');
}

export function decodeEventCursor(cursor: string | null | undefined): EventCursor | null {
  if (cursor == null || cursor === '') return null;
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^e:(\d{1,19}):(\d{1,19})$/.exec(text);
  if (!match) throw badCursor(cursor);
  return { txid: BigInt(match[1]!), id: BigInt(match[2]!) };
}

function badCursor(cursor: string): DomainError {
  return new DomainError(`Invalid cursor: ${JSON.stringify(cursor.slice(0, 100))}`, { code: 'BAD_USER_INPUT' });
}
