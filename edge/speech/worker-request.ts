import type { WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import type { StreamUsage } from '../accounts/speech-ticket.ts';
import type { ResponseFormat, SpeechRequest } from '../../shared/schemas/speech.ts';
import type { ResolvedSpeech } from './resolve.ts';

/**
 * The seed of a request that names none: made from what it says and how (FNV-1a over the
 * request), so the same request is the same audio on a seeded model, as the audio cache and a
 * stream resumed on another worker need. A client wanting another take sends its own seed.
 */
function seedOf(request: Omit<WorkerSynthesisRequest, 'seed'>): number {
  const { request_id: _id, ...said } = request;
  let hash = 0x811c9dc5;
  for (const unit of new TextEncoder().encode(JSON.stringify({ ...said, voice_profile: said.voice_profile && { id: said.voice_profile.id, version: said.voice_profile.version } }))) {
    hash = Math.imul(hash ^ unit, 0x01000193);
  }
  return hash >>> 0;
}

export interface SpeechOutput {
  format: ResponseFormat;
  sampleRate: number;
  /** Bits per second the client asked for (checked by resolveBitrate); absent: the format's default. */
  bitrate?: number | undefined;
}

/** What the speech ticket's `meter` is told about a stream, for its charge and ledger row. */
export const streamUsage = ({ model, voiceId, language }: ResolvedSpeech, { format, sampleRate, bitrate }: SpeechOutput, speed: number): StreamUsage => ({
  model: model.info.id,
  voice: voiceId,
  language,
  format,
  sampleRate,
  ...(bitrate === undefined ? {} : { bitrate }),
  speed,
});

/** What a worker is asked to speak, from a resolved speech request. */
export function workerRequestFor(
  requestId: string,
  resolved: ResolvedSpeech,
  request: Pick<SpeechRequest, 'input' | 'speed' | 'instructions' | 'seed'>,
  output: SpeechOutput,
): WorkerSynthesisRequest {
  const { model, voiceId, voiceProfile, language, segments } = resolved;
  const unseeded: Omit<WorkerSynthesisRequest, 'seed'> = {
    request_id: requestId,
    model: model.info.id,
    voice: voiceId,
    ...(voiceProfile ? { voice_profile: voiceProfile } : {}),
    language,
    ...(segments ? { segments } : {}),
    input: request.input,
    response_format: output.format,
    sample_rate: output.sampleRate,
    ...(output.bitrate === undefined ? {} : { bitrate: output.bitrate }),
    speed: request.speed,
    ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
  };
  // A seed even when the client gave none, so a stream resumed on another worker is the same audio.
  const seed = request.seed ?? (model.info.capabilities.seed ? seedOf(unseeded) : undefined);
  return seed === undefined ? unseeded : { ...unseeded, seed };
}
