import { uuidv7 } from 'uuidv7';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** New ids are time-ordered UUIDv7. */
export function newId(): string {
  return uuidv7();
}

/** A well-formed UUID, lower-cased; anything else is null (and so "not found", never a server error). */
export function parseId(value: string): string | null {
  return UUID.test(value) ? value.toLowerCase() : null;
}
