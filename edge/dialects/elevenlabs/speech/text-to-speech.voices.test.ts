import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyPack } from '../../../../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import { expectWellFormedAlignment } from '../../../../test/character-alignment.ts';
import { spokenClip, uploadVoice } from '../../../../test/clips.ts';
import { type StackHarness, startStack } from '../../../../test/harness/stack.ts';

// A voice cloned through the OpenAI-shaped API (POST /v1/voices), spoken through ElevenLabs'
// dialect: one store of voices, two dialects. A tiny generated Qwen3-TTS Base pack clones it
// fully, beside espeak (which only picks a preset near it); an operator's ELEVENLABS_MODELS goes
// over the table in code.
const TINY = 'qwen3-tts-tiny';
const TRANSCRIPT = 'The quick brown fox jumps over the lazy dog, again and again, for a little while.';
let dir: string;
let stack: StackHarness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'elevenlabs-voices-'));
  await writeTinyPack(join(dir, 'tiny'), { id: TINY });
  stack = await startStack({ workerArgs: ['--pack', join(dir, 'tiny')], edgeVars: { ELEVENLABS_MODELS: JSON.stringify({ eleven_turbo_v2_5: [TINY] }) } });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const client = () => new ElevenLabsClient({ apiKey: stack.key, baseUrl: `${stack.edge.url}/elevenlabs`, maxRetries: 0 });
const bytesOf = async (stream: ReadableStream<Uint8Array>) => Buffer.from(await new Response(stream).arrayBuffer());

describe('a voice cloned through the OpenAI-shaped API, spoken through the ElevenLabs dialect', () => {
  let voiceId: string;
  beforeAll(async () => {
    const clip = await spokenClip(stack.edge, stack.key, TRANSCRIPT);
    const created = await uploadVoice(stack.edge, stack.key, clip, { model: TINY, transcript: TRANSCRIPT, language: 'en' });
    expect(created.status, await created.clone().text()).toBe(201);
    voiceId = ((await created.json()) as { id: string }).id;
  });

  it('speaks with it on a model that can clone, whether an ElevenLabs model id or none is named; the voice steers the audio', async () => {
    const request = { text: 'Hello there, cloned.', outputFormat: 'pcm_24000', seed: 7 } as const;
    // eleven_multilingual_v2 prefers the Qwen3 packs this deployment lacks, then espeak, which only approximates a clone: the tiny pack clones.
    for (const modelId of ['eleven_multilingual_v2', undefined]) {
      const { data, rawResponse } = await client().textToSpeech.convert(voiceId, { ...request, ...(modelId ? { modelId } : {}) }).withRawResponse();
      expect(rawResponse.headers.get('x-tts-model'), modelId).toBe(TINY);
      expect(rawResponse.headers.get('x-tts-voice'), modelId).toBe(voiceId);
      expect((await bytesOf(data)).byteLength).toBeGreaterThan(0);
    }
    const withVoice = await bytesOf(await client().textToSpeech.convert(voiceId, { ...request, modelId: TINY }));
    const again = await bytesOf(await client().textToSpeech.stream(voiceId, { ...request, modelId: TINY }));
    const defaultVoice = (await (await stack.edge.fetch('/v1/models', { key: stack.key })).json()) as { data: Array<{ id: string; default_voice: string }> };
    const preset = defaultVoice.data.find((model) => model.id === TINY)!.default_voice;
    const withPreset = await bytesOf(await client().textToSpeech.convert(preset, { ...request, modelId: TINY }));
    expect(withVoice.equals(again)).toBe(true);
    expect(withVoice.equals(withPreset)).toBe(false);
  });

  it('times every character on an estimating engine too', async () => {
    const text = 'A cloned voice, timed character by character.';
    const answer = await client().textToSpeech.convertWithTimestamps(voiceId, { text, outputFormat: 'pcm_24000', modelId: TINY });
    const seconds = Buffer.from(answer.audioBase64, 'base64').byteLength / 2 / 24_000;
    const { characters, characterStartTimesSeconds: starts, characterEndTimesSeconds: ends } = answer.alignment!;
    expectWellFormedAlignment({ characters, character_start_times_seconds: starts, character_end_times_seconds: ends }, text, seconds);
    expect(Math.abs(ends.at(-1)! - seconds)).toBeLessThan(0.1);
  });

  it("an operator's ELEVENLABS_MODELS applies: models.list() says eleven_turbo_v2_5 stands for the pack it names", async () => {
    const models = await client().models.list();
    expect(models.find((model) => model.modelId === 'eleven_turbo_v2_5')!.description).toMatch(new RegExp(`^Stands for ${TINY} on this server`));
    expect(models.find((model) => model.modelId === 'eleven_flash_v2_5')!.description).toMatch(/^Stands for espeak on this server/);
  });
});
