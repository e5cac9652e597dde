import type { Handler } from 'hono';
import { describeRoute } from 'hono-openapi';
import { FORMATS } from '../../../../shared/audio/formats.ts';
import type { AppEnv } from '../../../env.ts';
import { apiKeySecurity, clientTokenSecurity, requestBody } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { prepareSynthesis } from '../../../speech/synthesis.ts';
import { streamSpeech } from '../../../speech/synthesize.ts';
import { ELEVENLABS_OUTPUT_FORMATS, parseOutputFormat } from '../speech/output-format.ts';
import { ELEVENLABS_SPEECH_ERRORS, ELEVENLABS_SPEECH_RESPONSE_HEADERS, ElevenLabsSpeechBodySchema, elevenLabsSpeechEndpoint, elevenLabsSpeechHeaders, QUERY_PARAMETERS, VOICE_ID_PARAMETER } from '../speech/speech-endpoint.ts';

/** The audio in the type of its `output_format`, streamed as it is made. */
export const audioResponse = {
  description: "The audio, streamed as the model makes it: the bytes received so far always decode from the start. `request-id` and `character-cost` as ElevenLabs sends them, with this API's own headers.",
  headers: ELEVENLABS_SPEECH_RESPONSE_HEADERS,
  content: Object.fromEntries(
    [...new Set(ELEVENLABS_OUTPUT_FORMATS.map((name) => FORMATS[parseOutputFormat(name).response_format].contentType))].map((type) => [type, { schema: { type: 'string' as const, format: 'binary' } }]),
  ),
};

/** ElevenLabs' text-to-speech, as a core speech request streamed: `convert` and `stream` alike. */
export const speakAudio: Handler<AppEnv> = async (c) => {
  const synthesis = await prepareSynthesis(c);
  const { audio, cache } = await streamSpeech(c, synthesis);
  return new Response(audio, { status: 200, headers: elevenLabsSpeechHeaders(c, synthesis, cache) });
};

/** The docs of `convert` and `stream`, which differ in name only. */
export const speakAudioDocs = (operationId: string, summary: string, path: string) =>
  describeRoute({
    tags: ['ElevenLabs'],
    operationId,
    summary,
    description: `As ElevenLabs' \`POST ${path}\`: text in, audio out in the \`output_format\` asked, streamed as it is made (\`/v1/text-to-speech/{voice_id}\` and \`/stream\` are the same here). Spoken and charged as \`POST /v1/audio/speech\` (one credit a character).`,
    security: [...apiKeySecurity('speech'), ...clientTokenSecurity('speech')],
    parameters: [VOICE_ID_PARAMETER, ...QUERY_PARAMETERS],
    requestBody: requestBody(ElevenLabsSpeechBodySchema),
    responses: { 200: audioResponse, ...elevenLabsErrorResponses(...ELEVENLABS_SPEECH_ERRORS) },
  });

/** `POST /elevenlabs/v1/text-to-speech/{voice_id}`: ElevenLabs' `textToSpeech.convert`. */
export const elevenLabsTextToSpeechRoute = elevenLabsSpeechEndpoint(
  '/v1/text-to-speech/:voice_id',
  speakAudioDocs('elevenLabsTextToSpeech', 'Create speech (ElevenLabs)', '/v1/text-to-speech/{voice_id}'),
  speakAudio,
);
