/** Test clips: the provided ones beside the checkout, and ones the tests make with ffmpeg. */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { concatSamples, floatToS16le, s16leToFloat } from '../../../shared/audio/pcm.ts';
import { parseWavHeader, wavHeader } from '../../../shared/audio/wav.ts';
import { EspeakEngine } from '../../engines/espeak/engine.ts';

const execFileAsync = promisify(execFile);

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const SHARED_AUDIO = join(repoRoot, '..', 'shared', 'audio');
/** CLIP_TESTS_WITHOUT_SHARED_AUDIO=1 runs the suite as it runs where the folder is missing. */
export const hasSharedAudio = existsSync(SHARED_AUDIO) && process.env.CLIP_TESTS_WITHOUT_SHARED_AUDIO !== '1';
export const SHARED_AUDIO_MISSING = `skipped: ${SHARED_AUDIO} (the provided test clips) is missing`;
export const sharedClip = (name: string) => new Uint8Array(readFileSync(join(SHARED_AUDIO, name)));

/** A WAV file of mono samples, 16-bit; `streamed` writes the 0xFFFFFFFF sizes of a stream whose length was unknown. */
export function wavBytes(samples: Float32Array, sampleRate: number, streamed = false): Uint8Array {
  const data = floatToS16le(samples);
  const header = wavHeader({ sampleRate, channels: 1, bitsPerSample: 16 }, streamed ? undefined : data.length);
  const file = new Uint8Array(header.length + data.length);
  file.set(header);
  file.set(data, header.length);
  return file;
}

/** The samples of a mono 16-bit WAV file. */
export function wavSamples(wav: Uint8Array): { samples: Float32Array; sampleRate: number } {
  const header = parseWavHeader(wav);
  return { samples: s16leToFloat(wav.subarray(header.dataOffset, header.dataOffset + header.dataBytes)), sampleRate: header.sampleRate };
}

export interface SpeechSource {
  /** Mono 16-bit WAV. */
  wav: Uint8Array;
  seconds: number;
  /** Where it came from, for test names. */
  origin: string;
}

/** Speech to make clips from: the provided 10 s recording, or espeak's when the folder is missing. */
export async function speechSource(): Promise<SpeechSource> {
  if (hasSharedAudio) return { wav: sharedClip('ref-en-10s-16k.wav'), seconds: 10, origin: 'ref-en-10s-16k.wav' };
  const engine = await EspeakEngine.load({ threads: 1 });
  try {
    const text = 'A reference clip for cloning a voice. It should hold several seconds of clear speech, said at an even pace, in a quiet room.';
    const chunks: Float32Array[] = [];
    const request = { requestId: 'clip-test', text, voice: { kind: 'preset' as const, id: 'en-male' }, language: 'en', speed: 1 };
    for await (const chunk of engine.synthesize(request, new AbortController().signal)) chunks.push(chunk.audio);
    const samples = concatSamples(chunks);
    return { wav: wavBytes(samples, engine.info.sample_rate), seconds: samples.length / engine.info.sample_rate, origin: 'espeak speech' };
  } finally {
    await engine.close();
  }
}

/**
 * Runs ffmpeg on `input` (a temporary file; the output too, so an M4A's index is written last,
 * as phones write it) and returns what it wrote.
 */
export async function ffmpeg(input: Uint8Array, extension: string, outputArgs: readonly string[], inputArgs: readonly string[] = []): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'clip-test-'));
  const [source, target] = [join(dir, 'in.wav'), join(dir, `out.${extension}`)];
  try {
    await writeFile(source, input);
    await execFileAsync('ffmpeg', ['-v', 'error', '-y', ...inputArgs, '-i', source, ...outputArgs, target]);
    return new Uint8Array(await readFile(target));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A steady chord: loud, tonal, and no speech at all. */
export function chord(seconds: number, sampleRate: number): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * sampleRate) }, (_, i) =>
    [220, 277.18, 329.63].reduce((sum, hz) => sum + 0.2 * Math.sin((2 * Math.PI * hz * i) / sampleRate), 0),
  );
}
