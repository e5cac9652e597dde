/**
 * A stream's audio lead over real time, as if its listener had started playing the moment the
 * request arrived. Its deadline is when that listener would run out of audio: arrival plus the
 * audio handed out so far. Work across streams (espeak's threads, the main thread's turns) goes
 * earliest deadline first (see DeadlineQueue), so a new stream, whose deadline is its arrival and
 * so already past, goes ahead of streams that have seconds of audio in hand; and a stream that
 * waits comes first in turn, since the deadlines of streams arriving after it move on with the clock.
 */
export class PlaybackClock {
  /**
   * A lead beyond this counts as this much: a client that reads much faster than real time (a
   * download, a benchmark) still gets its next turn within about this long of asking.
   */
  static readonly MAX_LEAD_MS = 2_000;

  /**
   * A background stream (a job's chunk) has no listener: its deadline is always this far ahead,
   * after any live stream's work, which is at most MAX_LEAD_MS ahead. Its work still goes before
   * live work asked more than MAX_LEAD_MS after it, so a busy worker's chunks keep moving.
   */
  static readonly BACKGROUND_LEAD_MS = 2 * PlaybackClock.MAX_LEAD_MS;

  private readonly startedAt: number;
  private readonly background: boolean;
  private readonly now: () => number;
  private audioMs = 0;

  /**
   * `startedAt`: the request's arrival (performance.now() ms), so time queued for a slot counts.
   * `now`: the time source (tests stand in for the passing of time with their own).
   * `background`: no one listens (see BACKGROUND_LEAD_MS).
   */
  constructor(options: { startedAt?: number; now?: () => number; background?: boolean } = {}) {
    this.now = options.now ?? (() => performance.now());
    this.startedAt = options.startedAt ?? this.now();
    this.background = options.background ?? false;
  }

  /** Audio handed to the stream's client, in seconds. */
  advance(seconds: number): void {
    this.audioMs += seconds * 1000;
  }

  /** When the stream's listener runs out of audio (performance.now() ms), its lead capped at MAX_LEAD_MS; a background stream's, BACKGROUND_LEAD_MS from now. */
  deadline(): number {
    if (this.background) return this.now() + PlaybackClock.BACKGROUND_LEAD_MS;
    return Math.min(this.startedAt + this.audioMs, this.now() + PlaybackClock.MAX_LEAD_MS);
  }
}
