/**
 * Codec instances that finished a stream, kept for the next stream of the same kind. A LAME
 * encoder is its own WebAssembly module: making one took about 30 ms of main-thread CPU, on the
 * path to the stream's first audio and in the way of every other stream's chunks, and one dropped
 * keeps its memory (16 MB reserved) until the garbage collector gets to it. A Speex resampler
 * state is cheap to make (about 0.2 ms) but lives in the shared module's memory, which reuse keeps
 * from growing. Up to `maxPerKind` are kept per kind; more are made when busy, and freed when
 * given back to a full pool.
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
