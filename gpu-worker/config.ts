import { availableParallelism, hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_HEARTBEAT_MS } from '../shared/protocol/pool.ts';

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

const integer = (name: string, value: string | undefined, fallback: number, min = 0): number => {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new Error(`${name} must be an integer >= ${min}, got "${value}"`);
  return parsed;
};

function executionProvider(value: string): 'cpu' | 'cuda' {
  if (value !== 'cpu' && value !== 'cuda') throw new Error(`execution provider must be "cpu" or "cuda", got "${value}"`);
  return value;
}

/** An http(s) URL without a trailing slash; `origin` also refuses a path, query or hash. */
function httpUrl(name: string, value: string | undefined, origin = false): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be a URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an http or https URL, got "${value}"`);
  // The heartbeat is signed over its path, so the edge must see exactly POOL_PATHS.heartbeat.
  if (origin && url.href !== `${url.origin}/`) throw new Error(`${name} must be an origin like https://tts.example.com, got "${value}"`);
  return url.href.replace(/\/$/, '');
}

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
    executionProvider: executionProvider(values['execution-provider'] ?? env.EXECUTION_PROVIDER ?? 'cpu'),
    onnxThreads: integer('ONNX_THREADS', env.ONNX_THREADS, 0),
    voiceCacheMb: integer('VOICE_CACHE_MB', env.VOICE_CACHE_MB, 128, 1),
    edgeUrl: httpUrl('EDGE_URL', values['edge-url'] ?? env.EDGE_URL, true),
    publicUrl: httpUrl('WORKER_PUBLIC_URL', values['public-url'] ?? env.WORKER_PUBLIC_URL),
    heartbeatMs: integer('HEARTBEAT_MS', env.HEARTBEAT_MS, DEFAULT_HEARTBEAT_MS, 100),
    drainGraceMs: integer('DRAIN_GRACE_MS', env.DRAIN_GRACE_MS, 60_000),
  };
}
