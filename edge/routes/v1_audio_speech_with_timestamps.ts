import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { FORMATS } from '../../shared/audio/formats.ts';
import { TimedAudioEndSchema, WordTimestampSchema } from '../../shared/protocol/timed-audio.ts';
import { RESPONSE_FORMATS, SpeechRequestSchema } from '../../shared/schemas/speech.ts';
import { base64 } from '../http/base64.ts';
import { NotHonoredSchema } from '../pronunciation/not-honored.ts';
import { apiKeySecurity, clientTokenSecurity, errorResponses, jsonResponse, requestBody } from '../openapi/index.ts';
import { SPEECH_RESPONSE_HEADERS } from '../speech/speech-docs.ts';
import { SPEECH_ENDPOINT_ERRORS, speechEndpoint } from '../speech/speech-endpoint.ts';
import { prepareSynthesis, speechHeaders } from '../speech/synthesis.ts';
import { wholeTimedSpeech } from '../speech/synthesize.ts';
import { WORKER_FAILED_ERRORS } from '../speech/worker-failed.ts';

const SpeechWithTimestampsSchema = z
  .object({
    audio_base64: z.string().describe('The whole audio of `response_format`, base64.'),
    content_type: z.string().describe('The audio\'s media type (`audio/wav`, `audio/mpeg`, ...).'),
    response_format: z.enum(RESPONSE_FORMATS),
    sample_rate: z.number().int().describe('Hz.'),
    audio_ms: TimedAudioEndSchema.shape.audio_ms.describe('How long the audio plays, ms (from its samples).'),
    alignment: z.object({
      method: TimedAudioEndSchema.shape.alignment.describe('`exact`: the times were read from the engine as it spoke (espeak). `estimated`: inferred (Qwen3-TTS).'),
      words: z.array(WordTimestampSchema).describe('Each word of `input` once, in order: its times in ms from the start of the audio, its place in `input` in characters [char_start, char_end).'),
    }),
    model: z.string(),
    voice: z.string(),
    language: z.string().describe('The language spoken (the first, when detected).'),
    usage: z.object({ input_characters: z.number().int().describe('Characters of input: what the request was charged, in credits.') }),
    timings: z.record(z.string(), z.number().int()).describe('ms: `admission_ms`, `queue_ms`, `first_audio_ms`.'),
    not_honored: z.array(NotHonoredSchema).optional().describe('Markup the model could not say as asked (said as plain text); absent when everything was honoured.'),
  })
  .meta({ id: 'SpeechWithTimestamps' });
type SpeechWithTimestamps = z.infer<typeof SpeechWithTimestampsSchema>;

const docs = describeRoute({
  tags: ['Speech'],
  operationId: 'createSpeechWithTimestamps',
  summary: 'Create speech with word timestamps',
  description:
    'The same request as `POST /v1/audio/speech` (`stream_format` is ignored); the answer is JSON once the audio is whole: the audio in base64, and when each word of the input is heard. The request is charged its characters only when the whole audio is returned; a worker that fails answers 503 `worker_failed` and nothing is charged.',
  security: [...apiKeySecurity('speech'), ...clientTokenSecurity('speech')],
  requestBody: requestBody(SpeechRequestSchema),
  responses: {
    200: jsonResponse('The audio, whole, with the words\' times.', SpeechWithTimestampsSchema, SPEECH_RESPONSE_HEADERS),
    ...errorResponses(...SPEECH_ENDPOINT_ERRORS, WORKER_FAILED_ERRORS),
  },
});

/** `POST /v1/audio/speech/with-timestamps`: text in, JSON out: the whole audio and its words' times. */
export const speechWithTimestampsRoute = speechEndpoint('/v1/audio/speech/with-timestamps', docs, async (c) => {
  const synthesis = await prepareSynthesis(c);
  const { model, format, sampleRate, characters } = synthesis;
  const whole = await wholeTimedSpeech(c, synthesis);
  const { audio, timings } = whole;

  const body: SpeechWithTimestamps = {
    audio_base64: base64(audio),
    content_type: FORMATS[format].contentType,
    response_format: format,
    sample_rate: sampleRate,
    audio_ms: whole.end.audio_ms,
    alignment: { method: whole.end.alignment, words: whole.words },
    model: model.info.id,
    voice: synthesis.voiceId,
    language: synthesis.language,
    usage: { input_characters: characters },
    timings: Object.fromEntries(Object.entries(timings).map(([name, ms]) => [name, Math.round(ms)])),
    ...(synthesis.notHonored.length > 0 ? { not_honored: synthesis.notHonored } : {}),
  };
  const headers = speechHeaders(c, synthesis, whole.cache);
  headers.set('content-type', 'application/json; charset=UTF-8');
  return new Response(JSON.stringify(body), { status: 200, headers });
});
