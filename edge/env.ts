import type { TimingVariables } from 'hono/timing';
import type { AccountDO } from './accounts/account-do.ts';
import type { PoolDO } from './pool/pool-do.ts';
import type { SpeechTicket } from './accounts/speech-ticket.ts';
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
  /** Workers Analytics Engine: one data point per speech request (edge/middleware/speech-events.ts). Optional. */
  SPEECH_EVENTS?: AnalyticsEngineDataset;
  /** Comma-separated gpu-worker base URLs: seed members, asked directly for their catalog. */
  WORKER_URLS: string;
  /** How long a worker may take to answer (with its first audio) before the edge tries another; default 15000. */
  FIRST_BYTE_TIMEOUT_MS?: string;
  DEFAULT_MODEL?: string;
  /** The format a speech request gets when it names none; default "mp3", as OpenAI's. */
  DEFAULT_RESPONSE_FORMAT?: string;
  /** JSON merged over the built-in table that maps OpenAI's model and voice names (see edge/speech/openai-aliases.ts). */
  OPENAI_ALIASES?: string;
  /** Credits per second of reference audio for creating a voice; "0" or unset: free. */
  VOICE_CREDITS_PER_SECOND?: string;
  /** A realtime socket with nothing to say and nothing said to it closes after this many ms; default 60000. */
  REALTIME_IDLE_TIMEOUT_MS?: string;
  WORKER_SECRET: string;
  ADMIN_TOKEN: string;
}

/** `metric`: the Server-Timing middleware's timers (hono/timing), on the routes that use it. */
export interface AppVariables extends TimingVariables {
  requestId: string;
  /** Set by the API-key middleware on authenticated routes. */
  apiKey: ApiKeyRecord;
  /** Set by the speech limits middleware once a request is admitted. */
  speechTicket: SpeechTicket;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
