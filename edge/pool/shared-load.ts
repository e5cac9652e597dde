/**
 * A value an isolate loads once for all the requests it serves, and keeps for `ttlMs`.
 *
 * Sharing the promise of a load in flight is what keeps a burst of requests from each making the
 * same call, but workerd ties a promise's I/O to the request that started it: when that request
 * ends before its load settles (its client went away), the promise never settles, and every other
 * request awaiting it would wait forever (reproduced in shared-load.test.ts). So a request waits
 * for a load some other request started for at most `patienceMs`, with a timer of its own
 * pending, and then loads for itself; its load becomes the shared one.
 */
export class SharedLoad<T> {
  private entry: { value: Promise<T>; settled: boolean; expires: number } | undefined;
  private readonly ttlMs: number;
  private readonly patienceMs: number;

  constructor(ttlMs: number, patienceMs: number) {
    this.ttlMs = ttlMs;
    this.patienceMs = patienceMs;
  }

  async get(load: () => Promise<T>): Promise<T> {
    const entry = this.entry;
    if (entry && entry.expires > Date.now()) {
      if (entry.settled) return entry.value;
      const shared = await settledWithin(entry.value, this.patienceMs);
      if (shared) return shared.value;
      if (this.entry !== entry) return this.get(load); // another waiter has already started again
    }
    return this.start(load);
  }

  /** Drops the value: the next `get` loads again. */
  forget(): void {
    this.entry = undefined;
  }

  private start(load: () => Promise<T>): Promise<T> {
    const entry = { value: load(), settled: false, expires: Date.now() + this.ttlMs };
    this.entry = entry;
    entry.value.then(
      () => (entry.settled = true),
      () => {
        if (this.entry === entry) this.entry = undefined; // a failure is not kept
      },
    );
    return entry.value;
  }
}

/** `{ value }` once `promise` fulfils (it throws if it rejects), or null after `ms`. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value })), late]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
