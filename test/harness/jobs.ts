import type { EdgeHarness } from './edge.ts';
import type { GpuWorkerHarness } from './gpu-worker.ts';

/** What the job tests read of a job (GET /v1/audio/jobs/{id}). */
export interface JobView {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  characters: number;
  chunks: number;
  progress: { chunks_done: number; chunks_in_flight: number; chunks_rendering: number; retries: number; characters_done: number; fraction: number; audio_ms: number; bytes: number };
  error: { code: string; message: string } | null;
  webhook: { status: string; attempts?: number; last_error?: string };
}

const FINISHED = ['completed', 'failed', 'cancelled'];

export async function createJob(edge: EdgeHarness, key: string, body: Record<string, unknown>): Promise<JobView> {
  const response = await edge.fetch('/v1/audio/jobs', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 202) throw new Error(`POST /v1/audio/jobs: ${response.status} ${await response.text()}`);
  return (await response.json()) as JobView;
}

export async function jobView(edge: EdgeHarness, key: string, id: string): Promise<JobView> {
  const response = await edge.fetch(`/v1/audio/jobs/${id}`, { key });
  if (response.status !== 200) throw new Error(`GET /v1/audio/jobs/${id}: ${response.status} ${await response.text()}`);
  return (await response.json()) as JobView;
}

/**
 * Follows the job's events (SSE) until `until` holds for a job it sends, or it ends; returns every
 * view it saw, in order. Each change of the job is an event, so nothing is polled.
 */
export async function followEvents(edge: EdgeHarness, key: string, id: string, until: (view: JobView) => boolean = (view) => FINISHED.includes(view.status)): Promise<JobView[]> {
  const response = await edge.fetch(`/v1/audio/jobs/${id}/events`, { key });
  if (response.status !== 200) throw new Error(`GET /v1/audio/jobs/${id}/events: ${response.status} ${await response.text()}`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const views: JobView[] = [];
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return views;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').find((line) => line.startsWith('data: '));
        if (!data) continue;
        const view = JSON.parse(data.slice(6)) as JobView;
        views.push(view);
        if (until(view)) return views;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** The job once it is finished, followed through its events. */
export async function finishedJob(edge: EdgeHarness, key: string, id: string): Promise<JobView> {
  const views = await followEvents(edge, key, id);
  const last = views.at(-1);
  if (!last || !FINISHED.includes(last.status)) throw new Error(`job ${id}'s events ended before it finished`);
  return last;
}

/** The objects the job stored in R2 for its chunks, by kind, keys sorted (chunk index first). */
export async function storedChunkObjects(edge: EdgeHarness, id: string): Promise<{ audio: string[]; words: string[] }> {
  const bucket = await edge.mf.getR2Bucket('JOB_AUDIO');
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const listed = await bucket.list({ prefix: `jobs/${id}/chunks/`, ...(cursor ? { cursor } : {}) });
    keys.push(...listed.objects.map((object) => object.key));
    cursor = listed.truncated ? listed.cursor : undefined;
  } while (cursor);
  keys.sort();
  return { audio: keys.filter((key) => key.endsWith('.audio')), words: keys.filter((key) => key.endsWith('.words.json')) };
}

export async function storedObject(edge: EdgeHarness, key: string): Promise<Uint8Array> {
  const object = await (await edge.mf.getR2Bucket('JOB_AUDIO')).get(key);
  if (!object) throw new Error(`no object ${key}`);
  return new Uint8Array(await object.arrayBuffer());
}

/** The chunk index of a stored object's key (`jobs/<id>/chunks/<index>/<attempt>.audio`). */
export const chunkIndexOf = (key: string) => Number(/\/chunks\/(\d+)\//.exec(key)![1]);

/** The job's chunk attempts a worker finished or cancelled, from its log: when each began and ended there. */
export function workerAttempts(worker: GpuWorkerHarness, jobId: string): Array<{ attempt: string; start: number; end: number; message: string }> {
  return worker.logs
    .filter((entry) => typeof entry.request_id === 'string' && entry.request_id.startsWith(`${jobId}.`) && (entry.message === 'synthesized' || entry.message === 'synthesis cancelled'))
    .map((entry) => {
      const end = Date.parse(entry.time as string);
      return { attempt: entry.request_id as string, start: end - Number(entry.total_ms ?? 0), end, message: entry.message as string };
    });
}

/** The most intervals that overlap at one instant. */
export function peakOverlap(intervals: ReadonlyArray<{ start: number; end: number }>): number {
  const edges = intervals.flatMap(({ start, end }) => [
    [start, 1],
    [end, -1],
  ]);
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let peak = 0;
  for (const [, step] of edges) peak = Math.max(peak, (open += step!));
  return peak;
}
