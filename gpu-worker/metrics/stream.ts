import type { Outcome, WorkerMetrics } from './registry.ts';

/** What one synthesis stream reports, as it goes, to the worker's metrics. */
export interface StreamMetrics {
  /** Labels what follows with the request's model. */
  model(id: string): void;
  engineStep(ms: number): void;
  firstAudio(ms: number): void;
  audio(seconds: number): void;
  /** A whole stream: `synthesisMs` is its wall time after the queue wait. */
  completed(synthesisMs: number, audioSeconds: number): void;
  ended(outcome: Exclude<Outcome, 'completed'>): void;
}

/**
 * The model label is the id of a served model or "unknown": never free text from a request,
 * which could grow the label set (and Prometheus' memory) without bound.
 */
export function streamMetrics(metrics: WorkerMetrics, served: ReadonlyMap<string, unknown>): StreamMetrics {
  let labels = { model: 'unknown' };
  return {
    model: (id) => void (labels = { model: served.has(id) ? id : 'unknown' }),
    engineStep: (ms) => metrics.engineStep.observe(labels, ms / 1000),
    firstAudio: (ms) => metrics.timeToFirstAudio.observe(labels, ms / 1000),
    audio: (seconds) => metrics.audioSeconds.inc(labels, seconds),
    completed(synthesisMs, audioSeconds) {
      metrics.requests.inc({ ...labels, outcome: 'completed' });
      if (audioSeconds > 0) metrics.realTimeFactor.observe(labels, synthesisMs / 1000 / audioSeconds);
    },
    ended(outcome) {
      metrics.requests.inc({ ...labels, outcome });
      if (outcome === 'cancelled') metrics.cancellations.inc(labels);
    },
  };
}
