/**
 * Every Prometheus metric the worker exports, in one place: `/metrics` serves them, the
 * autoscaler and deploy/grafana/gpu-worker.json read them by these names.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { WORKER_PRIORITIES, type WorkerPriority } from '../../shared/protocol/worker-api.ts';

/** How a synthesis request ended. `refused`: answered 4xx/5xx before any audio (busy 503 too). */
export const OUTCOMES = ['completed', 'cancelled', 'failed', 'refused'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Slots held and requests waiting, by priority (live speech, a job's background chunks). */
export type LoadStats = Record<WorkerPriority, { active: number; queued: number }>;

const MODEL = ['model'] as const;
const PRIORITY = ['priority'] as const;

/**
 * The worker's own registry rather than prom-client's global one, so that several workers in one
 * process (tests) do not collide. `load` is read at each scrape.
 */
export function createWorkerMetrics(load: () => LoadStats) {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const registers = [register];
  return {
    register,
    requests: new Counter({
      name: 'tts_requests_total',
      help: 'Synthesis requests by how they ended: completed, cancelled (client went away), failed (worker error), refused (4xx/5xx before audio).',
      labelNames: ['model', 'outcome'] as const,
      registers,
    }),
    timeToFirstAudio: new Histogram({
      name: 'tts_time_to_first_audio_seconds',
      help: 'From the request arriving (queue wait included) to the first audio of the engine.',
      labelNames: MODEL,
      buckets: [0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5],
      registers,
    }),
    realTimeFactor: new Histogram({
      name: 'tts_real_time_factor',
      help: 'Wall time of a completed stream after its queue wait, over the seconds of audio it made (below 1: faster than real time).',
      labelNames: MODEL,
      buckets: [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2],
      registers,
    }),
    audioSeconds: new Counter({
      name: 'tts_audio_seconds_total',
      help: 'Seconds of audio made, counted as it streams (cancelled and failed streams included).',
      labelNames: MODEL,
      registers,
    }),
    engineStep: new Histogram({
      name: 'tts_engine_step_seconds',
      help: 'Time the engine took for one chunk of audio.',
      labelNames: MODEL,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    cancellations: new Counter({
      name: 'tts_cancellations_total',
      help: 'Synthesis streams stopped because the client went away.',
      labelNames: MODEL,
      registers,
    }),
    packLoadSeconds: new Gauge({
      name: 'tts_pack_load_seconds',
      help: 'How long each engine (model pack) took to load at start-up.',
      labelNames: MODEL,
      registers,
    }),
    // By priority: sum them for the worker's load (the autoscaler does); background is a job's chunks.
    queueDepth: new Gauge({
      name: 'tts_queue_depth',
      help: 'Streams waiting for a slot, by priority (live, or background: a job\'s chunks).',
      labelNames: PRIORITY,
      registers,
      collect() {
        const stats = load();
        for (const priority of WORKER_PRIORITIES) this.set({ priority }, stats[priority].queued);
      },
    }),
    activeStreams: new Gauge({
      name: 'tts_active_streams',
      help: 'Streams holding a slot, by priority (live, or background: a job\'s chunks).',
      labelNames: PRIORITY,
      registers,
      collect() {
        const stats = load();
        for (const priority of WORKER_PRIORITIES) this.set({ priority }, stats[priority].active);
      },
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

/**
 * Records a loaded engine: its load time, and zeros for its counters, so that a rate over the
 * first request sees it (a series that first appears at 1 shows no increase).
 */
export function recordModelLoaded(metrics: WorkerMetrics, model: string, loadSeconds: number): void {
  metrics.packLoadSeconds.set({ model }, loadSeconds);
  for (const outcome of OUTCOMES) metrics.requests.inc({ model, outcome }, 0);
  metrics.audioSeconds.inc({ model }, 0);
  metrics.cancellations.inc({ model }, 0);
}
