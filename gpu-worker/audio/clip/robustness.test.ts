import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, type SpeechSource, speechSource } from './fixtures.ts';
import { ClipError, readReferenceClip, type ReferenceClip } from './index.ts';

let source: SpeechSource;
beforeAll(async () => {
  source = await speechSource();
});

/** Overwrites 64 bytes past the headers, chosen by a seeded generator: the same damage every run. */
function damaged(bytes: Uint8Array, seed: number): Uint8Array {
  const out = bytes.slice();
  let state = seed;
  const next = () => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
  for (let i = 0; i < 64; i++) out[64 + Math.floor(next() * (out.length - 64))] = Math.floor(next() * 256);
  return out;
}

/** Child processes of this one that have not exited: the clip decoders (ffmpeg runs only while a fixture is made). */
const decodeProcesses = () => process.getActiveResourcesInfo().filter((resource) => resource === 'ProcessWrap').length;

describe('hostile and broken input', () => {
  it('a decode that runs out of time is killed, and the next clip decodes', async () => {
    const wav = await ffmpeg(source.wav, 'wav', ['-ar', '48000', '-ac', '2', '-c:a', 'pcm_f32le']);
    // 1 ms: a decode process takes far longer than that just to start (Node, then the decoders).
    const error = await readReferenceClip(wav, { timeoutMs: 1 }).catch((error: unknown) => error);
    expect(error).toBeInstanceOf(ClipError);
    expect(error).toMatchObject({ status: 422, code: 'undecodable_audio', message: expect.stringMatching(/took too long to decode \(over [\d.]+ s\)/) });
    await expect.poll(decodeProcesses, { timeout: 5_000 }).toBe(0);
    expect((await readReferenceClip(wav)).speechSeconds).toBeGreaterThan(2);
  });

  it('an abort stops the decode it lands in, with the caller’s reason; one given before starts none', async () => {
    const abort = new AbortController();
    const reading = readReferenceClip(source.wav, { signal: abort.signal });
    // The decode process is forked before readReferenceClip first awaits: this abort lands while
    // it decodes, whatever the machine's speed (a timer could fire after the whole read).
    expect(decodeProcesses()).toBe(1);
    abort.abort(new Error('client went away'));
    // At once: within this turn of the event loop, so not after anything the decode process says.
    expect(await Promise.race([reading.catch((error: unknown) => error), nextLoopTurn().then(() => 'still reading')])).toMatchObject({ message: 'client went away' });
    await expect.poll(decodeProcesses, { timeout: 5_000 }).toBe(0);
    await expect(readReferenceClip(source.wav, { signal: AbortSignal.abort(new Error('already gone')) })).rejects.toThrow('already gone');
    expect(decodeProcesses()).toBe(0);
  });

  it('an M4A whose sample table claims 2^31 entries is refused, and this process carries on', async () => {
    // Its decoder fills a JS array that large: V8 aborts the process it runs in, even a worker thread's.
    const m4a = await ffmpeg(source.wav, 'm4a', ['-c:a', 'aac']);
    const stsz = Buffer.from(m4a.buffer, m4a.byteOffset, m4a.byteLength).indexOf('stsz');
    new DataView(m4a.buffer, m4a.byteOffset).setUint32(stsz + 12, 0x7fff_ffff); // the sample count
    const error = await readReferenceClip(m4a).catch((error: unknown) => error);
    expect(error).toMatchObject({ status: 422, code: 'undecodable_audio', message: expect.stringMatching(/memory/) });
    expect((await readReferenceClip(source.wav)).speechSeconds).toBeGreaterThan(2);
  });

  const encodings = [
    ['webm', ['-c:a', 'libopus']],
    ['m4a', ['-c:a', 'aac']],
    ['ogg', ['-c:a', 'libopus']],
    ['mp3', ['-c:a', 'libmp3lame']],
    ['flac', ['-c:a', 'flac']],
  ] as const;
  for (const [extension, args] of encodings) {
    it(`a damaged or cut ${extension} is read or refused with a ClipError, never anything else`, async () => {
      const file = await ffmpeg(source.wav, extension, args);
      for (const broken of [damaged(file, extension.length), file.subarray(0, Math.floor(file.length * 0.6))]) {
        const outcome = await readReferenceClip(broken, { timeoutMs: 5_000 }).catch((error: unknown) => error);
        if ('samples' in (outcome as object)) expect((outcome as ReferenceClip).samples.every((sample) => sample >= -1 && sample <= 1)).toBe(true);
        else expect(outcome).toBeInstanceOf(ClipError);
      }
    });
  }

  it('clips read at once give what each gives alone', async () => {
    const files = await Promise.all([ffmpeg(source.wav, 'webm', ['-c:a', 'libopus']), ffmpeg(source.wav, 'mp3', ['-c:a', 'libmp3lame']), Promise.resolve(source.wav)]);
    const alone: number[] = [];
    for (const file of files) alone.push((await readReferenceClip(file)).speechSeconds);
    const together = await Promise.all(files.map((file) => readReferenceClip(file)));
    expect(together.map((clip) => clip.speechSeconds)).toEqual(alone);
  });
});
