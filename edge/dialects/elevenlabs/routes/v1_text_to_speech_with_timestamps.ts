import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { base64 } from '../../../http/base64.ts';
import { apiKeySecurity, clientTokenSecurity, jsonResponse, requestBody } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { prepareSynthesis } from '../../../speech/synthesis.ts';
import { wholeTimedSpeech } from '../../../speech/synthesize.ts';
import { WORKER_FAILED_ERRORS } from '../../../speech/worker-failed.ts';
import { type CharacterAlignment, characterAlignment } from '../speech/alignment.ts';
import { ELEVENLABS_SPEECH_ERRORS, ELEVENLABS_SPEECH_RESPONSE_HEADERS, ElevenLabsSpeechBodySchema, elevenLabsSpeechEndpoint, elevenLabsSpeechHeaders, QUERY_PARAMETERS, VOICE_ID_PARAMETER } from '../speech/speech-endpoint.ts';

export const CharacterAlignmentSchema = z
  .object({
    characters: z.array(z.string()).describe('Every character of `text` (Unicode code points), in order: joined, they are the text.'),
    character_start_times_seconds: z.array(z.number()).describe('When each is heard, s from the start of the audio: never decreasing.'),
    character_end_times_seconds: z.array(z.number()).describe('When each ends, s: at or after its start, within the audio.'),
  })
  .describe(
    "Built from the engine's word times (exact on espeak): a word's characters share its span, the characters between words share the gap between them. `normalized_alignment` is the same: the text is not normalized separately.",
  )
  .meta({ id: 'ElevenLabsCharacterAlignment' }) satisfies z.ZodType<CharacterAlignment>;

const AudioWithTimestampsSchema = z
  .object({
    audio_base64: z.string().describe('The whole audio of `output_format`, base64.'),
    alignment: CharacterAlignmentSchema,
    normalized_alignment: CharacterAlignmentSchema,
  })
  .meta({ id: 'ElevenLabsAudioWithTimestamps' });

const docs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsTextToSpeechWithTimestamps',
  summary: 'Create speech with timestamps (ElevenLabs)',
  description:
    "As ElevenLabs' `POST /v1/text-to-speech/{voice_id}/with-timestamps`: JSON once the audio is whole, the audio in base64 and when each character of the text is heard. Charged only when the whole audio is returned; a worker that fails answers 503 `worker_failed` and nothing is charged.",
  security: [...apiKeySecurity('speech'), ...clientTokenSecurity('speech')],
  parameters: [VOICE_ID_PARAMETER, ...QUERY_PARAMETERS],
  requestBody: requestBody(ElevenLabsSpeechBodySchema),
  responses: {
    200: jsonResponse('The audio, whole, with its characters\' times.', AudioWithTimestampsSchema, ELEVENLABS_SPEECH_RESPONSE_HEADERS),
    ...elevenLabsErrorResponses(...ELEVENLABS_SPEECH_ERRORS, WORKER_FAILED_ERRORS),
  },
});

/** `POST /elevenlabs/v1/text-to-speech/{voice_id}/with-timestamps`: ElevenLabs' `textToSpeech.convertWithTimestamps`. */
export const elevenLabsTextToSpeechWithTimestampsRoute = elevenLabsSpeechEndpoint('/v1/text-to-speech/:voice_id/with-timestamps', docs, async (c) => {
  const synthesis = await prepareSynthesis(c);
  const { audio, words, end, cache } = await wholeTimedSpeech(c, synthesis);
  const alignment = characterAlignment(synthesis.request.input, words, end.audio_ms);
  const body: z.infer<typeof AudioWithTimestampsSchema> = { audio_base64: base64(audio), alignment, normalized_alignment: alignment };
  const headers = elevenLabsSpeechHeaders(c, synthesis, cache);
  headers.set('content-type', 'application/json; charset=UTF-8');
  return new Response(JSON.stringify(body), { status: 200, headers });
});
