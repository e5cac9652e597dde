/**
 * WebAssembly codec instances that finished a stream, kept for the next stream of the same kind.
 * Making one compiles its package's embedded binary anew, about 15 to 50 ms of main-thread CPU on
 * the path to the stream's first audio and in the way of every other stream's chunks; and one
 * dropped keeps its memory (megabytes; 16 to 25 MB reserved) until the garbage collector gets to
 * it, so one per stream made the worker's memory swing by a hundred MB and more under load.
 * Up to `maxPerKind` are kept per kind; more are made when busy, and freed when given back to a
 * full pool.
 */
export class IdlePool<T> {
  private readonly idle = new Map<string, T[]>();
  private readonly maxPerKind: number;
  private readonly free: (item: T) => void;

  constructor(options: { maxPerKind: number; free?: (item: T) => void }) {
    this.maxPerKind = options.maxPerKind;
    this.free = options.free ?? (() => {});
  }

  /** One kept for `kind`, or undefined: the caller makes one. */
  take(kind: string): T | undefined {
    return this.idle.get(kind)?.pop();
  }

  /** Keeps `item` (already reset by the caller) for the next `take(kind)`, or frees it. */
  giveBack(kind: string, item: T): void {
    const kept = this.idle.get(kind) ?? [];
    if (kept.length >= this.maxPerKind) return this.free(item);
    kept.push(item);
    this.idle.set(kind, kept);
  }

  /** Instances kept for `kind`. */
  size(kind: string): number {
    return this.idle.get(kind)?.length ?? 0;
  }
}
