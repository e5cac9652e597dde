import { describe, expect, it } from 'vitest';
import type { WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { renderingKey } from './cache-key.ts';

const request: WorkerSynthesisRequest = {
  request_id: 'req_1',
  model: 'espeak',
  voice: 'voice_abc',
  voice_profile: { id: 'voice_abc', version: 2, profile: { engine: 'espeak', data: { pitch: 50 } } } as unknown as WorkerSynthesisRequest['voice_profile'],
  language: 'en',
  input: 'Hello there.',
  response_format: 'mp3',
  sample_rate: 24_000,
  speed: 1,
  seed: 7,
};
const identity = { modelVersion: 'espeak-ng@0.3.5+worker@0.1.0', dictionaries: ['pd_1@3'] };

describe('renderingKey: everything that shapes the audio, nothing that names the attempt', () => {
  it('is the same for another attempt at the same request (id, priority, resume point, words wanted)', async () => {
    const key = await renderingKey(request, identity);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await renderingKey({ ...request, request_id: 'req_2', priority: 'background', resume_at_byte: 100, timestamps: true }, identity)).toBe(key);
  });

  it('differs when anything that shapes the audio differs', async () => {
    const key = await renderingKey(request, identity);
    const variants: Array<[WorkerSynthesisRequest, typeof identity]> = [
      [{ ...request, input: 'Hello there!' }, identity],
      [{ ...request, speed: 1.25 }, identity],
      [{ ...request, seed: 8 }, identity],
      [{ ...request, response_format: 'wav' }, identity],
      [{ ...request, sample_rate: 16_000 }, identity],
      [{ ...request, bitrate: 64_000 }, identity],
      [{ ...request, language: 'de' }, identity],
      [{ ...request, instructions: 'whisper' }, identity],
      [{ ...request, voice_profile: { ...request.voice_profile!, version: 3 } }, identity],
      [{ ...request, segments: [{ text: 'Hello there.', language: 'en', rate: 0.8 }] }, identity],
      [request, { ...identity, modelVersion: 'espeak-ng@0.3.6+worker@0.1.0' }],
      [request, { ...identity, dictionaries: ['pd_1@4'] }],
    ];
    const keys = await Promise.all(variants.map(([r, i]) => renderingKey(r, i)));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);
  });
});
