/**
 * What a voice profile saves: time to first audio with the profile computed once and cached,
 * against computing it from the clip on every request (decode, check, embed, then speak), on
 * espeak and on a generated tiny Qwen3-TTS pack (in-context profile: its reference frames are
 * embedded per request unless the worker's cache has them). Also the edge's hot path: an
 * account's voice (account object + KV record cached per isolate + worker cache) against a preset.
 *
 *   npm run bench:voices -- [--requests 30] [--clip path/to/clip.wav]   (--help: every option)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyPack } from '../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import { WORKER_PATHS, type WorkerSynthesisRequest, type WorkerVoiceResult } from '../shared/protocol/worker-api.ts';
import { hasSharedAudio, SHARED_AUDIO, speak, spokenClip, uploadVoice } from '../test/clips.ts';
import { startEdge } from '../test/harness/edge.ts';
import { startGpuWorker } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch } from '../test/worker-client.ts';
import { benchArgs } from './options.ts';
import { percentile, type Sample, timed } from './timing.ts';

const { values } = benchArgs({
  command: 'npm run bench:voices --',
  summary: "What a stored voice profile saves in time to first audio, on espeak and a generated Qwen3 pack, and the edge's path with an account's voice.",
  options: {
    requests: { type: 'string', default: '30', smoke: '1', description: 'requests per path, after the warm-ups' },
    warmups: { type: 'string', default: '3', smoke: '0', description: 'unmeasured requests per path first' },
    clip: { type: 'string', description: "the reference clip (WAV); default the shared audio's, else one espeak speaks" },
  },
});
const requests = Number(values.requests);
const warmups = Number(values.warmups);
const TEXT = 'Hello there. This is a cloned voice speaking.';
const TRANSCRIPT = 'And so, my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

const dir = await mkdtemp(join(tmpdir(), 'bench-voices-'));
const pack = (await writeTinyPack(join(dir, 'tiny'))).id;
const worker = await startGpuWorker({ args: ['--pack', join(dir, 'tiny')] });
const edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
try {
  const { key } = await edge.createKey();
  const clipPath = values.clip ?? (hasSharedAudio ? join(SHARED_AUDIO, 'ref-en-10s-16k.wav') : undefined);
  const clip = clipPath ? new Uint8Array(await readFile(clipPath)) : await spokenClip(edge, key, TRANSCRIPT);
  const rows: Array<Record<string, string>> = [];

  for (const model of ['espeak', pack]) {
    const send = (path: string, body: string | Uint8Array) => signedWorkerFetch(worker.url, worker.secret, path, { body }).then((r) => r.response);
    const clone = async (): Promise<WorkerVoiceResult> => {
      const query = new URLSearchParams({ request_id: `bench-${crypto.randomUUID()}`, model, transcript: TRANSCRIPT, language: 'en' });
      const response = await send(`${WORKER_PATHS.cloneVoice}?${query}`, clip);
      if (!response.ok) throw new Error(`clone failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as WorkerVoiceResult;
    };
    const synthesize = (profile: WorkerVoiceResult['profile'], id: string, version: number) =>
      send(
        WORKER_PATHS.synthesize,
        JSON.stringify({
          request_id: `bench-${crypto.randomUUID()}`,
          model,
          voice: id,
          voice_profile: { id, version, profile },
          language: 'en',
          input: TEXT,
          response_format: 'pcm',
          speed: 1,
          seed: 1,
        } satisfies WorkerSynthesisRequest),
      );
    const { profile } = await clone();
    let version = 0;
    const cases: Record<string, () => Promise<Response>> = {
      // What every request would pay without stored profiles: the clip decoded, checked and embedded first.
      'profile from the clip, every request': async () => synthesize((await clone()).profile, 'voice_bench', ++version),
      'stored profile, worker cache miss': () => synthesize(profile, 'voice_bench', ++version),
      'stored profile, worker cache hit': () => synthesize(profile, 'voice_bench', 0),
    };
    // The edge's hot path with an account's voice, against a preset of the same model.
    const voice = (await (await uploadVoice(edge, key, clip, { model, transcript: TRANSCRIPT, language: 'en' })).json()) as { id: string };
    const preset = model === 'espeak' ? 'en-male' : 'default';
    cases['edge: preset voice'] = () => speak(edge, key, { model, voice: preset, input: TEXT, response_format: 'pcm', seed: 1 });
    cases['edge: own voice (KV + caches)'] = () => speak(edge, key, { model, voice: voice.id, input: TEXT, response_format: 'pcm', seed: 1 });

    const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
    for (const send of Object.values(cases)) for (let i = 0; i < warmups; i++) await timed(send);
    for (let i = 0; i < requests; i++) for (const [name, send] of Object.entries(cases)) samples[name]!.push(await timed(send));
    const base = percentile(samples['stored profile, worker cache hit']!.map((s) => s.firstByteMs), 50);
    for (const [name, list] of Object.entries(samples)) {
      const ttfb = list.map((s) => s.firstByteMs);
      rows.push({
        model,
        path: name,
        'ttfb p50 ms': percentile(ttfb, 50).toFixed(1),
        'ttfb p90 ms': percentile(ttfb, 90).toFixed(1),
        '÷ cache hit': (percentile(ttfb, 50) / base).toFixed(2),
      });
    }
  }
  console.log(`${requests} requests per path, clip ${clipPath ?? '(spoken by espeak)'}, ${TEXT.length} characters, pcm`);
  console.table(rows);
} finally {
  await edge.dispose();
  await worker.stop();
  await rm(dir, { recursive: true, force: true });
}
