import { availableParallelism, hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isHttpUrl, oneOf, optional, parseVariables, required, withDefault, wholeNumber } from '../shared/config/variables.ts';
import { DEFAULT_HEARTBEAT_MS } from '../shared/protocol/pool.ts';
import { defaultReservedForLive } from './scheduler.ts';

/** Everything the worker reads from its flags and environment, checked once at start-up. */
export interface WorkerConfig {
  host: string;
  port: number;
  workerId: string;
  secret: string;
  espeakThreads: number;
  maxStreams: number;
  maxQueued: number;
  queueTimeoutMs: number;
  /**
   * A long-form job's chunks (`priority: background`): the slots they never take, so live
   * speech starts at once on a worker they fill, and their own queue, longer-waiting, since a
   * chunk has no listener waiting on its first audio.
   */
  background: { reservedForLive: number; maxQueued: number; queueTimeoutMs: number };
  /** Model pack directories to load (Qwen3-TTS). */
  packs: string[];
  /** Where the ONNX models run: CUDA when asked for and available, otherwise CPU. */
  executionProvider: 'cpu' | 'cuda';
  /** ONNX Runtime threads within one operator; 0 lets it choose. */
  onnxThreads: number;
  /** Bytes of decoded voice profiles each Qwen3 engine keeps (MiB). */
  voiceCacheMb: number;
  /** The edge's origin: when set, the worker joins its pool by heartbeats. */
  edgeUrl: string | undefined;
  /** Where the edge reaches this worker; the listening address when unset. */
  publicUrl: string | undefined;
  heartbeatMs: number;
  /** How long open streams may run on after SIGTERM before they are cut. */
  drainGraceMs: number;
}

/** An http(s) URL, given without a trailing slash; `origin` also refuses a path, query or hash. */
function httpUrl(origin: boolean) {
  // The heartbeat is signed over its path, so the edge must see exactly POOL_PATHS.heartbeat.
  const allowed = origin ? 'must be an http(s) origin like https://tts.example.com, without a path' : 'must be an http(s) URL';
  return z
    .string({ error: allowed })
    .trim()
    .refine(
      (text) => isHttpUrl(text) && (!origin || new URL(text).href === `${new URL(text).origin}/`),
      { error: allowed },
    )
    .transform((text) => new URL(text).href.replace(/\/$/, ''));
}

const text = (allowed: string) => z.string({ error: allowed }).trim();

/** The worker's variables; a flag, where there is one, goes over its variable. */
const WorkerVariablesSchema = z.object({
  WORKER_SECRET: required(
    z.string({ error: 'must be set to the secret shared with the edge (16 characters or more)' }).min(16, { error: 'must be 16 characters or more' }),
  ),
  WORKER_HOST: withDefault(text('must be an address to listen on'), '127.0.0.1'),
  WORKER_PORT: withDefault(wholeNumber(0, 65_535), 9100),
  WORKER_ID: optional(text('must be a name for the worker')),
  ESPEAK_THREADS: withDefault(wholeNumber(1), Math.min(2, availableParallelism())),
  MAX_STREAMS: withDefault(wholeNumber(1), 16),
  MAX_QUEUED: withDefault(wholeNumber(0), 32),
  QUEUE_TIMEOUT_MS: withDefault(wholeNumber(1), 10_000),
  /** Unset: 1 (0 when MAX_STREAMS is 1); must be below MAX_STREAMS. */
  BACKGROUND_RESERVED_STREAMS: optional(wholeNumber(0)),
  BACKGROUND_MAX_QUEUED: withDefault(wholeNumber(0), 32),
  BACKGROUND_QUEUE_TIMEOUT_MS: withDefault(wholeNumber(1), 60_000),
  EXECUTION_PROVIDER: withDefault(oneOf(['cpu', 'cuda']), 'cpu'),
  ONNX_THREADS: withDefault(wholeNumber(0), 0),
  VOICE_CACHE_MB: withDefault(wholeNumber(1), 128),
  EDGE_URL: optional(httpUrl(true)),
  WORKER_PUBLIC_URL: optional(httpUrl(false)),
  HEARTBEAT_MS: withDefault(wholeNumber(100), DEFAULT_HEARTBEAT_MS),
  DRAIN_GRACE_MS: withDefault(wholeNumber(0), 60_000),
});

/** The flags, and the variable each stands for. */
const FLAGS = {
  host: 'WORKER_HOST',
  port: 'WORKER_PORT',
  'execution-provider': 'EXECUTION_PROVIDER',
  'edge-url': 'EDGE_URL',
  'public-url': 'WORKER_PUBLIC_URL',
} as const;
const LABELS = Object.fromEntries(Object.entries(FLAGS).map(([flag, name]) => [name, `--${flag} / ${name}`]));

/** The configuration from the command line and environment; throws naming every value at fault and what it allows. */
export function readConfig(argv: string[], env: NodeJS.ProcessEnv): WorkerConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      pack: { type: 'string', multiple: true },
      'execution-provider': { type: 'string' },
      'edge-url': { type: 'string' },
      'public-url': { type: 'string' },
    },
    strict: true,
  });
  const input: Record<string, unknown> = { ...env };
  for (const [flag, name] of Object.entries(FLAGS)) if (values[flag as keyof typeof FLAGS] !== undefined) input[name] = values[flag as keyof typeof FLAGS];
  const parsed = parseVariables(WorkerVariablesSchema, input, { secrets: ['WORKER_SECRET'], labels: LABELS });
  if (!parsed.ok) throw new Error(`the configuration is invalid:\n${parsed.problems.map((line) => `  ${line}`).join('\n')}`);
  const config = parsed.value;
  const reservedForLive = config.BACKGROUND_RESERVED_STREAMS ?? defaultReservedForLive(config.MAX_STREAMS);
  if (reservedForLive >= config.MAX_STREAMS) {
    throw new Error(
      `the configuration is invalid:\n  BACKGROUND_RESERVED_STREAMS: must be below MAX_STREAMS (${config.MAX_STREAMS}), or background requests never run, got "${reservedForLive}"`,
    );
  }
  return {
    host: config.WORKER_HOST,
    port: config.WORKER_PORT,
    workerId: config.WORKER_ID ?? `${hostname()}-${process.pid}`,
    secret: config.WORKER_SECRET,
    espeakThreads: config.ESPEAK_THREADS,
    maxStreams: config.MAX_STREAMS,
    maxQueued: config.MAX_QUEUED,
    queueTimeoutMs: config.QUEUE_TIMEOUT_MS,
    background: { reservedForLive, maxQueued: config.BACKGROUND_MAX_QUEUED, queueTimeoutMs: config.BACKGROUND_QUEUE_TIMEOUT_MS },
    packs: values.pack ?? [],
    executionProvider: config.EXECUTION_PROVIDER,
    onnxThreads: config.ONNX_THREADS,
    voiceCacheMb: config.VOICE_CACHE_MB,
    edgeUrl: config.EDGE_URL,
    publicUrl: config.WORKER_PUBLIC_URL,
    heartbeatMs: config.HEARTBEAT_MS,
    drainGraceMs: config.DRAIN_GRACE_MS,
  };
}
