import type { TimingVariables } from 'hono/timing';
import type { ApiError } from '../shared/errors.ts';
import type { AccountDO } from './accounts/account-do.ts';
import type { Admission } from './accounts/types.ts';
import type { JobDO } from './jobs/job-do.ts';
import type { ChunkMessage } from './jobs/job-types.ts';
import type { PoolDO } from './pool/pool-do.ts';
import type { SpeechTicket } from './accounts/speech-ticket.ts';
import type { Caller } from './middleware/caller-auth.ts';
import type { SpeechRequestReader } from './speech/speech-request.ts';
import type { ApiKeyRecord } from './storage/api-keys.ts';

/** Bindings declared in wrangler.toml, plus the secrets set with `wrangler secret put`. */
export interface Env {
  API_KEYS: KVNamespace;
  /** Voice records and their per-model profiles, by id and version. */
  VOICES: KVNamespace;
  /** Voices' reference clips. */
  VOICE_CLIPS: R2Bucket;
  DB: D1Database;
  /** One Durable Object per account: rate limits, stream leases, credits, key status. */
  ACCOUNTS: DurableObjectNamespace<AccountDO>;
  /** The pool's membership: the workers that registered by heartbeat. */
  POOL: DurableObjectNamespace<PoolDO>;
  /** One Durable Object per long-form job: its chunks' state, dispatch and webhook (edge/jobs/). */
  JOBS: DurableObjectNamespace<JobDO>;
  /** Long-form jobs' rendered chunks and their words. */
  JOB_AUDIO: R2Bucket;
  /** Long-form jobs' chunks waiting to be rendered, one message each. */
  JOB_CHUNKS: Queue<ChunkMessage>;
  /** The audio cache's durable copies (edge/cache/): `<scope>/<key>`, the audio or its timed frames. */
  AUDIO_CACHE: R2Bucket;
  /** Workers Analytics Engine: one data point per speech request (edge/middleware/speech-events.ts). Optional. */
  SPEECH_EVENTS?: AnalyticsEngineDataset;
  /**
   * The secrets. The variables (WORKER_URLS, DEFAULT_RESPONSE_FORMAT, ...) are not listed here:
   * code reads them typed from `edgeConfig(env)`, whose schema (edge/config/schema.ts) describes
   * and checks every variable and secret. No request reaches a route while it finds a problem
   * (middleware/valid-config.ts).
   */
  WORKER_SECRET: string;
  ADMIN_TOKEN?: string;
}

/** `metric`: the Server-Timing middleware's timers (hono/timing), on the routes that use it. */
export interface AppVariables extends TimingVariables {
  requestId: string;
  /** Set by the API-key middleware on routes that only keys may use. */
  apiKey: ApiKeyRecord;
  /** Who the request acts for, a key or a client token: set on every authenticated route (middleware/caller-auth.ts). */
  caller: Caller;
  /** A key or client token a dialect read from its own header (presentedSecret in middleware/api-key-auth.ts). */
  presentedSecret: string | undefined;
  /** How a dialect shapes an error's body (middleware/errors.ts); unset: the API's own `{ error: {...} }`. */
  errorBody: ((error: ApiError) => unknown) | undefined;
  /** How a speech route reads its request (speech/speech-request.ts); unset: the OpenAI-shaped JSON body. */
  speechRequestReader: SpeechRequestReader | undefined;
  /** Set by the speech limits middleware once a request is admitted. */
  speechTicket: SpeechTicket;
  /** The speech request's admission, which may still be pending when the route starts (middleware/limits.ts). */
  speechAdmission: Promise<{ ticket: SpeechTicket; admission: Extract<Admission, { ok: true }> }>;
  /** The pool was saturated when the request came (503 pool_saturated), but the audio cache may answer it: the refusal, should it not. */
  shedUnlessCached: ApiError | undefined;
  /** How long admission took, ms, once it is done. */
  admissionMs: number;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
