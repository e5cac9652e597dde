import type { JobCounts, JobRow } from './job-tables.ts';
import type { JobSpec, JobView, WebhookState } from './job-types.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A job as `GET /v1/audio/jobs/{id}` shows it: the spec's public part, progress and outcome. */
export function jobView(job: JobRow & { parsed: JobSpec }, counts: JobCounts, chunks: number, now: number): JobView {
  const spec = job.parsed;
  const running = job.status === 'running' || job.status === 'queued';
  // From the pace so far: characters done per ms since the first chunk was taken.
  const elapsed = job.started_ms === null ? 0 : now - job.started_ms;
  const pace = counts.characters_done > 0 && elapsed > 0 ? counts.characters_done / elapsed : null;
  return {
    id: spec.id,
    object: 'audio.job',
    status: job.status,
    model: spec.model,
    voice: spec.voice,
    language: spec.language ?? null,
    response_format: spec.response_format,
    sample_rate: spec.sample_rate,
    characters: spec.characters,
    chunks,
    progress: {
      chunks_done: counts.done,
      chunks_in_flight: running ? counts.in_flight : 0,
      chunks_rendering: running ? counts.rendering : 0,
      chunks_failed: counts.failed,
      retries: counts.retries,
      characters_done: counts.characters_done,
      audio_ms: counts.audio_ms,
      bytes: counts.bytes,
      fraction: spec.characters === 0 ? 1 : counts.characters_done / spec.characters,
      estimated_seconds_left: running && pace !== null ? Math.ceil((spec.characters - counts.characters_done) / pace / 1000) : null,
    },
    error: job.error === null ? null : (JSON.parse(job.error) as { code: string; message: string }),
    webhook: JSON.parse(job.webhook) as WebhookState,
    metadata: spec.metadata ?? {},
    created_at: spec.created_at,
    started_at: iso(job.started_ms),
    finished_at: iso(job.finished_ms),
    expires_at: iso(job.expires_ms),
    version: job.version,
  };
}
