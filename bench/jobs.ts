/**
 * One long-form job (docs/jobs.md) on a pool of N workers: how well its chunks spread over the
 * pool (the job's wall time against the sum of its chunks' render times, and the most chunks in
 * flight at once), how soon a player following it from the start hears something, and how much
 * faster than real time the file is made. Workers join by heartbeat, as in production; the text
 * is test/fixtures/long-text.ts's.
 *
 *   npm run bench:jobs -- [--workers 3] [--characters 50000] [--format mp3]   (--help: every option)
 *
 * The sum of render times comes from the job's Durable Object itself (`renderTimes()`, through
 * Miniflare's namespace binding): the public view does not carry per-chunk times.
 */
import { startEdge } from '../test/harness/edge.ts';
import { startGpuWorker, TEST_WORKER_SECRET } from '../test/harness/gpu-worker.ts';
import { longText } from '../test/fixtures/long-text.ts';
import { benchArgs } from './options.ts';

const { values } = benchArgs({
  command: 'npm run bench:jobs --',
  summary: "One long-form job on N workers: wall time against the sum of its chunks' render times, chunks in flight, a follower's first audio, realtime factor.",
  options: {
    workers: { type: 'string', default: '3', smoke: '2', description: 'gpu-workers in the pool' },
    characters: { type: 'string', default: '50000', smoke: '2000', description: "the job's length in characters (test/fixtures/long-text.ts)" },
    format: { type: 'string', default: 'mp3', description: "the job's response_format (mp3, opus, aac, wav)" },
  },
});
const workerCount = Number(values.workers);
const characters = Number(values.characters);
const format = values.format;
const HEARTBEAT_MS = 500;

/** What this bench reads of a job's view (edge/jobs/job-schemas.ts; edge types stay out of the Node build). */
interface JobView {
  id: string;
  status: string;
  characters: number;
  chunks: number;
  progress: { chunks_in_flight: number; chunks_rendering: number; retries: number; audio_ms: number };
  error: unknown;
  created_at: string;
  finished_at: string | null;
}
const POLL_MS = 200;
/** A job that has not finished by then is reported as it stands, not waited for. */
const GIVE_UP_MS = 30 * 60_000;
/** A wav file's RIFF header: the bytes a follower gets before the first audio. */
const HEADER_BYTES: Record<string, number> = { wav: 44 };

const edge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET });
const workers = await Promise.all(Array.from({ length: workerCount }, () => startGpuWorker({ env: { EDGE_URL: edge.url, HEARTBEAT_MS: String(HEARTBEAT_MS) } })));
try {
  const { key } = await edge.createKey({ credits: characters * 2 });
  const pool = async () => ((await (await edge.admin('GET', '/admin/pool')).json()) as { data: unknown[] }).data;
  while ((await pool()).length < workerCount) await new Promise((resolve) => setTimeout(resolve, 100));

  const input = longText(characters);
  const created = await edge.fetch('/v1/audio/jobs', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input, response_format: format }) });
  if (created.status !== 202) throw new Error(`job refused: ${created.status} ${await created.text()}`);
  const job = (await created.json()) as JobView;
  const createdAt = performance.now();

  // A player that starts right after the job is created, reading to the end.
  const follower = (async () => {
    const response = await edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key });
    if (!response.ok) throw new Error(`follower refused: ${response.status} ${await response.text()}`);
    const reader = response.body!.getReader();
    let bytes = 0;
    let firstAudioMs = NaN;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (Number.isNaN(firstAudioMs) && bytes > (HEADER_BYTES[format] ?? 0)) firstAudioMs = performance.now() - createdAt;
    }
    return { bytes, firstAudioMs };
  })();

  // The job as GET shows it, every POLL_MS: the most chunks queued or rendering at once.
  let view = job;
  let peakInFlight = 0;
  let peakRendering = 0;
  while (!['completed', 'failed', 'cancelled'].includes(view.status) && performance.now() - createdAt < GIVE_UP_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    view = (await (await edge.fetch(`/v1/audio/jobs/${job.id}`, { key })).json()) as JobView;
    peakInFlight = Math.max(peakInFlight, view.progress.chunks_in_flight);
    peakRendering = Math.max(peakRendering, view.progress.chunks_rendering);
  }
  if (view.status !== 'completed') throw new Error(`job ${view.status}: ${JSON.stringify(view.error ?? view.progress)}`);
  const followed = await follower;
  const file = new Uint8Array(await (await edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key })).arrayBuffer());

  const jobs = await edge.mf.getDurableObjectNamespace('JOBS');
  // JobDO's RPC method, through Miniflare's stub.
  const stub = jobs.get(jobs.idFromName(job.id)) as unknown as { renderTimes(): Promise<number[]> };
  const renderTimes = await stub.renderTimes();
  const renderSum = renderTimes.reduce((sum, ms) => sum + ms, 0);
  // The job's own clock: from its creation to its last chunk stored.
  const wallMs = Date.parse(view.finished_at!) - Date.parse(view.created_at);

  console.log(`One job: espeak, ${format}, text from test/fixtures/long-text.ts; wall time from creation to the last chunk stored (the job's own clock)`);
  console.table([
    {
      characters: view.characters,
      chunks: view.chunks,
      workers: workerCount,
      'wall s': (wallMs / 1000).toFixed(1),
      'sum of render s': (renderSum / 1000).toFixed(1),
      'sum / wall': (renderSum / wallMs).toFixed(2),
      'peak in flight': peakInFlight,
      'peak rendering': peakRendering,
      retries: view.progress.retries,
      'follower first audio ms': followed.firstAudioMs.toFixed(0),
      'follower bytes = file': followed.bytes === file.byteLength,
      'audio s': (view.progress.audio_ms / 1000).toFixed(1),
      'realtime factor': (view.progress.audio_ms / wallMs).toFixed(1),
    },
  ]);
} finally {
  await edge.dispose();
  await Promise.all(workers.map((worker) => worker.stop()));
}
