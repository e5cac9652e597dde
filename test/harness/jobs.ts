import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { JobView } from '../../edge/jobs/job-types.ts';
import type { EdgeHarness } from './edge.ts';

/** Long-form jobs (edge/jobs/) as tests create, follow and read them, through the edge's real routes. */

export type { JobView };

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

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
