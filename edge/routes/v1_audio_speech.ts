import { describeRoute } from 'hono-openapi';
import { FORMATS } from '../../shared/audio/formats.ts';
import { AUDIO_HEADERS } from '../../shared/protocol/worker-api.ts';
import { SpeechRequestSchema } from '../../shared/schemas/speech.ts';
import { audioToSse, SpeechStreamEventSchema } from '../http/sse-audio.ts';
import { apiKeySecurity, clientTokenSecurity, errorResponses, requestBody, responseSchema } from '../openapi/index.ts';
import { SPEECH_RESPONSE_HEADERS } from '../speech/speech-docs.ts';
import { SPEECH_ENDPOINT_ERRORS, speechEndpoint } from '../speech/speech-endpoint.ts';
import { prepareSynthesis, speechHeaders } from '../speech/synthesis.ts';
import { streamSpeech, streamTimedSpeech } from '../speech/synthesize.ts';
import { workerFailed } from '../speech/worker-failed.ts';

/** The 200: the audio in the type of its `response_format`, or server-sent events. */
const speechStream = {
  description: 'The audio, streamed as the model makes it: the bytes received so far always decode from the start.',
  headers: SPEECH_RESPONSE_HEADERS,
  content: {
    ...Object.fromEntries(
      Object.entries(FORMATS).map(([format, { contentType }]) => [contentType, { schema: { type: 'string', format: 'binary', description: `\`response_format: "${format}"\`` } }]),
    ),
    'text/event-stream': { schema: responseSchema(SpeechStreamEventSchema) },
  },
};

const speechDocs = describeRoute({
  tags: ['Speech'],
  operationId: 'createSpeech',
  summary: 'Create speech',
  description:
    "Text in, a stream of audio out, OpenAI-compatible. `stream_format: \"sse\"` frames the audio as OpenAI's server-sent events, with `speech.audio.timestamps` (the words) before the delta that holds them; they end with `speech.audio.done`, or with an `error` event when a worker fails mid-stream.",
  security: [...apiKeySecurity('speech'), ...clientTokenSecurity('speech')],
  requestBody: requestBody(SpeechRequestSchema),
  responses: { 200: speechStream, ...errorResponses(...SPEECH_ENDPOINT_ERRORS) },
});

/** `POST /v1/audio/speech`: text in, an audio stream out, OpenAI-compatible. */
export const speechRoute = speechEndpoint('/v1/audio/speech', speechDocs, async (c) => {
  const synthesis = await prepareSynthesis(c);
  const { request, format, characters } = synthesis;

  // Raw audio: the worker's plain audio, as it comes.
  if (request.stream_format !== 'sse') {
    const { audio, cache } = await streamSpeech(c, synthesis);
    return new Response(audio, { status: 200, headers: speechHeaders(c, synthesis, cache) });
  }

  // Events: timed audio, so the words go out beside the audio; billing meters the audio alone.
  const { audio, words, timings, cache } = await streamTimedSpeech(c, synthesis);
  const headers = speechHeaders(c, synthesis, cache);
  headers.set('content-type', 'text/event-stream');
  headers.set(AUDIO_HEADERS.format, format);
  const sse = audioToSse(audio, {
    inputCharacters: characters,
    timings,
    words,
    notHonored: synthesis.notHonored,
    describeFailure: () => workerFailed('The speech worker failed mid-stream: the audio above is all there is, and only it is charged.').toJSON().error,
  });
  // `encodeBody: 'manual'` with no content-encoding: workerd neither compresses nor buffers the events.
  return new Response(sse, { status: 200, headers, encodeBody: 'manual' });
});
