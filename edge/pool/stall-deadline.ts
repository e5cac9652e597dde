import { firstAudioWaitMs, type SheddingMember } from './load-shedding.ts';

/**
 * How long the edge waits on a worker before it judges it stalled: against a multiple of the
 * worker's own reported time to first audio, not one fixed figure, so that an overloaded worker
 * (slow, but answering) is given the time its load needs and a dead one is left sooner.
 */
export interface StallSettings {
  /** While the worker has reported no time to first audio (a seed, a fresh worker): FIRST_BYTE_TIMEOUT_MS. */
  unknownMs: number;
  /** Times the worker's expected wait before it is judged stalled: STALL_TTFA_MULTIPLE. */
  multiple: number;
  /** However fast it says it is, at least this long (scheduling hiccups are not stalls): STALL_FLOOR_MS. */
  floorMs: number;
  /** However slow it says it is, at most this long (a stale or absurd report cannot hang a client): STALL_CEILING_MS. */
  ceilingMs: number;
}

/**
 * A playing stream that has audio in hand may wait this long for its next turn behind new streams
 * on its worker (gpu-worker's PlaybackClock.MAX_LEAD_MS): a gap the worker makes on purpose.
 */
const TURN_WAIT_MS = 2_000;

const within = (ms: number, { floorMs, ceilingMs }: StallSettings) => Math.round(Math.min(ceilingMs, Math.max(floorMs, ms)));

/**
 * How long a synthesis request sent to `member` now may go without its first audio. The worker
 * answers (headers included) only once it has first audio, queueing included, so this covers the
 * whole wait: its ttfa, or, when it is full, its wait for a slot as load shedding estimates it
 * (`openHere`: requests this isolate has open there; `streamsPerSecond`: how fast it frees slots).
 */
export function firstAudioDeadlineMs(member: SheddingMember, openHere: number, streamsPerSecond: number | null, settings: StallSettings): number {
  const ttfa = member.load.ttfa_ms;
  if (ttfa === null) return settings.unknownMs;
  const expected = Math.max(ttfa, firstAudioWaitMs(member, openHere, streamsPerSecond));
  return within(settings.multiple * expected, settings);
}

/**
 * How long a playing stream of `member` may go without a byte while the edge waits for one. The
 * worker makes audio faster than real time, one step at a time, each no longer than it takes to
 * make a first audio; its ttfa (which counts queueing, so grows with its load) bounds a step.
 * The time the stream may wait for its turn (TURN_WAIT_MS) comes on top.
 */
export function silenceDeadlineMs(member: SheddingMember, settings: StallSettings): number {
  const ttfa = member.load.ttfa_ms;
  if (ttfa === null) return settings.unknownMs;
  return within(settings.multiple * ttfa, settings) + TURN_WAIT_MS;
}
