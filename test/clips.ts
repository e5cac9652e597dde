import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EdgeHarness } from './harness/edge.ts';

const execFileAsync = promisify(execFile);

/** Real speech clips and broken files provided beside the checkout (never copied into it). */
export const SHARED_AUDIO = join(new URL('../../', import.meta.url).pathname, 'shared', 'audio');
export const hasSharedAudio = existsSync(SHARED_AUDIO);
export const NO_SHARED_AUDIO = `skipped: ${SHARED_AUDIO} (the provided test clips) is missing`;
export const sharedClip = (name: string): Uint8Array => new Uint8Array(readFileSync(join(SHARED_AUDIO, name)));

/** Speech made by the stack itself (espeak, 24 kHz WAV): a clip to clone when the folder is missing. */
export async function spokenClip(edge: EdgeHarness, key: string, text: string, voice = 'en-male'): Promise<Uint8Array> {
  const response = await edge.fetch('/v1/audio/speech', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: text, voice, response_format: 'wav' }),
  });
  if (!response.ok) throw new Error(`speech for a test clip failed: ${response.status} ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Re-encodes a clip with ffmpeg (Debian's, installed by .ci/run), as a phone or browser would
 * record it. Into a file, not a pipe: an M4A's index is written at the end, as phones write it.
 */
export async function transcode(input: Uint8Array, format: keyof typeof RECORDING_FORMATS): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'clip-'));
  const { extension, args } = RECORDING_FORMATS[format];
  const source = join(dir, 'in.wav');
  const target = join(dir, `out.${extension}`);
  try {
    await writeFile(source, input);
    await execFileAsync('ffmpeg', ['-v', 'error', '-y', '-i', source, ...args, target]);
    return new Uint8Array(await readFile(target));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The containers phones and browsers record in. */
export const RECORDING_FORMATS = {
  'webm-opus': { extension: 'webm', args: ['-c:a', 'libopus', '-b:a', '32k'] },
  'm4a-aac': { extension: 'm4a', args: ['-c:a', 'aac', '-b:a', '64k'] },
  'ogg-opus': { extension: 'ogg', args: ['-c:a', 'libopus', '-b:a', '32k'] },
  mp3: { extension: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '64k'] },
  flac: { extension: 'flac', args: ['-c:a', 'flac'] },
  'wav-48k-stereo': { extension: 'wav', args: ['-ar', '48000', '-ac', '2', '-c:a', 'pcm_s16le'] },
} as const;

/** A multipart body for POST /v1/voices. */
export function cloneForm(clip: Uint8Array, fields: Record<string, string> = {}, fileType = 'application/octet-stream', fileName = 'clip.bin'): FormData {
  const form = new FormData();
  form.set('file', new Blob([clip], { type: fileType }), fileName);
  form.set('name', fields.name ?? 'Test voice');
  form.set('consent', fields.consent ?? 'true');
  for (const [name, value] of Object.entries(fields)) if (name !== 'name' && name !== 'consent') form.set(name, value);
  return form;
}

/**
 * POST /v1/voices with a clip, with plain fetch: the edge reads the rest of a body it refuses
 * (a bad key, a file over its limit) before it answers, so the refusal is read, not a reset.
 */
export const uploadVoice = (edge: EdgeHarness, key: string, clip: Uint8Array, fields: Record<string, string> = {}, fileType?: string): Promise<Response> =>
  fetch(`${edge.url}/v1/voices`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: cloneForm(clip, fields, fileType) });

/** POST /v1/audio/speech as JSON; the response unread. */
/** About 4,000 characters (the input limit): minutes of audio, so a stream its client does not read stays open, and a cancelled synthesis is seen as one. */
export const LONG_INPUT = Array.from({ length: 80 }, (_, i) => `Sentence ${i} keeps this stream going for a while.`)
  .join(' ')
  .slice(0, 4_000);

export const speak = (edge: EdgeHarness, key: string, body: Record<string, unknown>) =>
  edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_format: 'wav', ...body }) });
