import type { SharedPayload } from './liveGroups.ts';

// Shared delivery encodes its WebSocket frames itself rather than through ws (SocketRecipient in
// src/transport/frameWrites.ts says why).

/** The length of the header of a frame with `length` payload bytes (RFC 6455 §5.2). */
function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Writes one unmasked, final text frame holding prefix + payload + "}" at `offset`; returns its end. */
function writeTextFrame(target: Buffer, offset: number, prefix: Buffer, payload: Buffer): number {
  const length = prefix.length + payload.length + 1;
  const header = headerLength(length);
  target[offset] = 0x81; // FIN, opcode 1 (text)
  if (header === 2) target[offset + 1] = length;
  else if (header === 4) {
    target[offset + 1] = 126;
    target.writeUInt16BE(length, offset + 2);
  } else {
    target[offset + 1] = 127;
    target.writeBigUInt64BE(BigInt(length), offset + 2);
  }
  prefix.copy(target, offset + header);
  payload.copy(target, offset + header + prefix.length);
  target[offset + header + length - 1] = 0x7d; // "}"
  return offset + header + length;
}

/** The bytes of the text frames for the payloads from `first` to `last` (see textFrames). */
export function framesLength(prefix: Buffer, first: SharedPayload, last: SharedPayload): number {
  let size = 0;
  for (let payload: SharedPayload | null = first; payload; payload = payload === last ? null : payload.next) {
    const length = prefix.length + payload.bytes.length + 1;
    size += headerLength(length) + length;
  }
  return size;
}

/** Writes the frames for the payloads from `first` to `last` into `target` from its start. */
export function writeFrames(target: Buffer, prefix: Buffer, first: SharedPayload, last: SharedPayload): void {
  let offset = 0;
  for (let payload: SharedPayload | null = first; payload; payload = payload === last ? null : payload.next) {
    offset = writeTextFrame(target, offset, prefix, payload.bytes);
  }
}

/**
 * One text frame per payload from `first` to `last` of their list (each prefix + payload + "}"), back
 * to back in one buffer.
 */
export function textFrames(prefix: Buffer, first: SharedPayload, last: SharedPayload): Buffer {
  const frames = Buffer.allocUnsafe(framesLength(prefix, first, last));
  writeFrames(frames, prefix, first, last);
  return frames;
}
