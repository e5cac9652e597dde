import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { JobView } from '../../edge/jobs/job-types.ts';
import type { EdgeHarness } from './edge.ts';
import type { GpuWorkerHarness } from './gpu-worker.ts';

/** Long-form jobs (edge/jobs/) as tests create, follow and read them, through the edge's real routes. */

export type { JobView };

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/** Every route of one job (method, path after `/v1/audio/jobs/{id}`): each answers only the job's owner. */
export const JOB_ROUTES = [
  ['GET', ''],
  ['DELETE', ''],
  ['GET', '/audio'],
  ['GET', '/timestamps'],
  ['GET', '/subtitles'],
  ['GET', '/events'],
] as const;

/** POST /v1/audio/jobs with a JSON body; the response unread. */
export const postJob = (edge: EdgeHarness, key: string, body: Record<string, unknown>) =>
  edge.fetch('/v1/audio/jobs', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** POST /v1/audio/jobs with a multipart body: the text as a `file` part, the other fields as form fields. */
export function postJobFile(edge: EdgeHarness, key: string, file: { bytes: string | Uint8Array; type: string; name: string }, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('file', new Blob([file.bytes], { type: file.type }), file.name);
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return edge.fetch('/v1/audio/jobs', { method: 'POST', key, body: form });
}

/** Creates a job, failing the test unless the edge answers 202. */
export async function createJob(edge: EdgeHarness, key: string, body: Record<string, unknown>): Promise<JobView> {
  const response = await postJob(edge, key, body);
  expect(response.status, await response.clone().text()).toBe(202);
  return (await response.json()) as JobView;
}

/** GET /v1/audio/jobs/{id}, failing the test unless it answers 200. */
export async function getJob(edge: EdgeHarness, key: string, id: string): Promise<JobView> {
  const response = await edge.fetch(`/v1/audio/jobs/${id}`, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as JobView;
}

/** The job once it has finished (completed, failed or cancelled), with every view read on the way (oldest first). */
export async function finishedJob(edge: EdgeHarness, key: string, id: string, timeoutMs = 30_000): Promise<{ job: JobView; seen: JobView[] }> {
  const deadline = Date.now() + timeoutMs;
  const seen: JobView[] = [];
  for (;;) {
    const job = await getJob(edge, key, id);
    seen.push(job);
    if (FINISHED.has(job.status)) return { job, seen };
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms: ${JSON.stringify(job.progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Creates a job and waits for it to complete (failing the test if it fails or is cancelled). */
export async function completedJob(edge: EdgeHarness, key: string, body: Record<string, unknown>): Promise<JobView> {
  const created = await createJob(edge, key, body);
  const { job } = await finishedJob(edge, key, created.id);
  expect(job.status, JSON.stringify(job.error)).toBe('completed');
  return job;
}

/** The bytes of a response, after checking its status. */
export async function bytesOf(response: Response, status = 200): Promise<Uint8Array> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect(response.status, status === response.status ? '' : new TextDecoder().decode(bytes)).toBe(status);
  return bytes;
}

/** One server-sent event as the job's events route writes it. */
export interface JobEvent {
  id: number;
  event: string;
  data: JobView;
}

/** Reads a job's events stream to its end (the route ends it after the job's last event). */
export async function readJobEvents(response: Response): Promise<JobEvent[]> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const text = await response.text();
  const events: JobEvent[] = [];
  for (const block of text.split('\n\n')) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const colon = line.indexOf(': ');
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
    }
    if (fields.has('data')) events.push({ id: Number(fields.get('id')), event: fields.get('event') ?? 'message', data: JSON.parse(fields.get('data')!) as JobView });
  }
  return events;
}

const execFileAsync = promisify(execFile);

/** The codec of each stream ffprobe finds in a file's bytes (a joined file must be one stream). */
export async function streamCodecs(bytes: Uint8Array): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'job-audio-'));
  try {
    const file = join(dir, 'audio');
    await writeFile(file, bytes);
    const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'json', file]);
    return (JSON.parse(stdout) as { streams: Array<{ codec_name: string }> }).streams.map((stream) => stream.codec_name);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Follows the job's events (SSE) until `until` holds for a job it sends, or it ends; returns every
 * view it saw, in order. Each change of the job is an event, so nothing is polled.
 */
export async function followEvents(edge: EdgeHarness, key: string, id: string, until: (view: JobView) => boolean = (view) => FINISHED.has(view.status)): Promise<JobView[]> {
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

/** The job once it is finished, followed through its events (nothing polled). */
export async function jobOutcome(edge: EdgeHarness, key: string, id: string): Promise<JobView> {
  const views = await followEvents(edge, key, id);
  const last = views.at(-1);
  if (!last || !FINISHED.has(last.status)) throw new Error(`job ${id}'s events ended before it finished`);
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

/**
 * The job once `until` holds for it, read with GET every 50 ms: for what changes after its events
 * end (the webhook's delivery, decided by the job's alarm once the job has finished).
 */
export async function jobWhen(edge: EdgeHarness, key: string, id: string, until: (view: JobView) => boolean, timeoutMs = 30_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await getJob(edge, key, id);
    if (until(view)) return view;
    if (Date.now() > deadline) throw new Error(`job ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify({ status: view.status, webhook: view.webhook })}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
