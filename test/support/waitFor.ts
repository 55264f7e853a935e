/**
 * waitFor: the suite's one polling helper. Reads until `done` holds and returns that value; when
 * `timeoutMs` passes first it throws, naming `what` it waited for and the last value read.
 */
export async function waitFor<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
  what = 'a condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${describe(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? [...v] : v))?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}
