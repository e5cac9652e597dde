import type { Admission } from './types.ts';

/**
 * Whether a speech request will very likely be admitted, from what the last admission of the same
 * key or client token said in this isolate. When it will, the edge sends the worker its request
 * while the account's object decides (edge/speech/synthesize.ts), so admission's round trip is no
 * longer added to the time to first audio. The object still decides: a forecast that was wrong
 * costs one worker start, cancelled as soon as the refusal arrives, and nothing is charged or
 * streamed before it is admitted.
 *
 * The forecast is cautious: only after an admission of the same credential, recent, that left
 * room for this request in credits, both buckets, stream slots and the token's caps. A refusal
 * stops forecasting for the credential until an admission (made the slow way) succeeds again, so
 * a client that keeps being refused (no credits, rate-limited, revoked) sends no worker anything.
 */

/** How long a standing is trusted: buckets refill and balances change within a minute. */
const TRUST_MS = 30_000;
/** Credentials remembered per isolate (the oldest is forgotten first). */
const MAX_CREDENTIALS = 10_000;

type Standing = Extract<Admission, { ok: true }>;

interface Known {
  at: number;
  /** The last admission's standing, or null after a refusal. */
  standing: Standing | null;
  /** Requests forecast since the standing was read: each takes from what it left. */
  forecast: { requests: number; characters: number; streams: number };
}

export class AdmissionForecast {
  private readonly known = new Map<string, Known>();

  /** Whether a request of `characters` by `credential` will very likely be admitted now. */
  likely(credential: string, characters: number, now = Date.now()): boolean {
    const entry = this.known.get(credential);
    if (!entry?.standing || now - entry.at > TRUST_MS) return false;
    const { standing, forecast } = entry;
    const want = { requests: forecast.requests + 1, characters: forecast.characters + characters, streams: forecast.streams + 1 };
    const room =
      standing.balance >= want.characters &&
      standing.requests.remaining >= want.requests &&
      standing.characters.remaining >= want.characters &&
      standing.streams.limit - standing.streams.active >= want.streams &&
      (standing.token?.characters_remaining ?? Infinity) >= want.characters &&
      (standing.token?.requests_remaining ?? Infinity) >= want.requests;
    if (room) entry.forecast = want;
    return room;
  }

  /** What the account's object answered for `credential`: the standing to forecast from next. */
  record(credential: string, admission: Admission, now = Date.now()): void {
    this.known.delete(credential); // re-inserted last: the Map's order is the age order
    this.known.set(credential, { at: now, standing: admission.ok ? admission : null, forecast: { requests: 0, characters: 0, streams: 0 } });
    if (this.known.size > MAX_CREDENTIALS) this.known.delete(this.known.keys().next().value!);
  }
}
