import { availableParallelism, hostname } from 'node:os';
import { parseArgs } from 'node:util';

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
  /** Model pack directories to load (Qwen3-TTS). */
  packs: string[];
}

const integer = (name: string, value: string | undefined, fallback: number, min = 0): number => {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new Error(`${name} must be an integer >= ${min}, got "${value}"`);
  return parsed;
};

export function readConfig(argv: string[], env: NodeJS.ProcessEnv): WorkerConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      pack: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const secret = env.WORKER_SECRET;
  if (!secret || secret.length < 16) throw new Error('WORKER_SECRET must be set to the secret shared with the edge (16 characters or more).');
  return {
    host: values.host ?? env.WORKER_HOST ?? '127.0.0.1',
    port: integer('port', values.port ?? env.WORKER_PORT, 9100),
    workerId: env.WORKER_ID ?? `${hostname()}-${process.pid}`,
    secret,
    espeakThreads: integer('ESPEAK_THREADS', env.ESPEAK_THREADS, Math.min(2, availableParallelism()), 1),
    maxStreams: integer('MAX_STREAMS', env.MAX_STREAMS, 16, 1),
    maxQueued: integer('MAX_QUEUED', env.MAX_QUEUED, 32),
    queueTimeoutMs: integer('QUEUE_TIMEOUT_MS', env.QUEUE_TIMEOUT_MS, 10_000, 1),
    packs: values.pack ?? [],
  };
}
