/**
 * The median of the last `size` values recorded: the heartbeat's time to first audio. A median,
 * so that one slow request (a cold voice, a long queue) does not make the worker look slow.
 */
export class RecentMedian {
  private readonly size: number;
  private readonly values: number[] = [];
  private next = 0;

  constructor(size = 50) {
    this.size = size;
  }

  record(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
  }

  /** Null before anything was recorded. */
  median(): number | null {
    if (this.values.length === 0) return null;
    const sorted = this.values.toSorted((a, b) => a - b);
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  }
}
