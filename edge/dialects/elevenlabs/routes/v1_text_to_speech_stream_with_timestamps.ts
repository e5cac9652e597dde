import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { base64 } from '../../../http/base64.ts';
import { apiKeySecurity, clientTokenSecurity, requestBody, responseSchema } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { prepareSynthesis } from '../../../speech/synthesis.ts';
import { streamTimedSpeech } from '../../../speech/synthesize.ts';
import { type CharacterAlignment, CharacterAligner, joinAlignments } from '../speech/alignment.ts';
import { ELEVENLABS_SPEECH_ERRORS, ELEVENLABS_SPEECH_RESPONSE_HEADERS, ElevenLabsSpeechBodySchema, elevenLabsSpeechEndpoint, elevenLabsSpeechHeaders, QUERY_PARAMETERS, VOICE_ID_PARAMETER } from '../speech/speech-endpoint.ts';
import { CharacterAlignmentSchema } from './v1_text_to_speech_with_timestamps.ts';

/** One object of the stream: newline-delimited JSON, as ElevenLabs' SDK reads it. */
const AudioChunkSchema = z
  .object({
    audio_base64: z.string().describe('The next audio bytes of `output_format`, base64. Empty in a last object that only times the characters after the last word.'),
    alignment: CharacterAlignmentSchema.nullable().describe('The characters whose words start in this audio (with those before them), or null when none does.'),
    normalized_alignment: CharacterAlignmentSchema.nullable(),
  })
  .meta({ id: 'ElevenLabsAudioChunkWithTimestamps' });
type AudioChunk = z.infer<typeof AudioChunkSchema>;

const NDJSON = 'application/x-ndjson';

const docs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsTextToSpeechStreamWithTimestamps',
  summary: 'Stream speech with timestamps (ElevenLabs)',
  description:
    "As ElevenLabs' `POST /v1/text-to-speech/{voice_id}/stream/with-timestamps`: a JSON object a line as the audio is made, each with its audio in base64 and the characters whose words start in it; all of them together time every character of the text. Charged as `POST /v1/audio/speech` (the audio streamed).",
  security: [...apiKeySecurity('speech'), ...clientTokenSecurity('speech')],
  parameters: [VOICE_ID_PARAMETER, ...QUERY_PARAMETERS],
  requestBody: requestBody(ElevenLabsSpeechBodySchema),
  responses: {
    200: { description: 'One object a line.', headers: ELEVENLABS_SPEECH_RESPONSE_HEADERS, content: { [NDJSON]: { schema: responseSchema(AudioChunkSchema) } } },
    ...elevenLabsErrorResponses(...ELEVENLABS_SPEECH_ERRORS),
  },
});

const encoder = new TextEncoder();
const line = (chunk: AudioChunk) => encoder.encode(`${JSON.stringify(chunk)}\n`);
const chunk = (audio: Uint8Array, alignment: CharacterAlignment): AudioChunk => {
  const timed = alignment.characters.length > 0 ? alignment : null;
  return { audio_base64: base64(audio), alignment: timed, normalized_alignment: timed };
};

/** `POST /elevenlabs/v1/text-to-speech/{voice_id}/stream/with-timestamps`: ElevenLabs' `textToSpeech.streamWithTimestamps`. */
export const elevenLabsTextToSpeechStreamWithTimestampsRoute = elevenLabsSpeechEndpoint('/v1/text-to-speech/:voice_id/stream/with-timestamps', docs, async (c) => {
  const synthesis = await prepareSynthesis(c);
  const { audio, words, cache } = await streamTimedSpeech(c, synthesis);
  const aligner = new CharacterAligner(synthesis.request.input);
  const reader = audio.getReader();
  // A worker that fails mid-stream (and no other can go on) errors the body, as it does raw audio.
  const lines = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        // Words come before the audio that holds them: those taken now start in this chunk.
        const timed = aligner.take(words.takeWords());
        if (!done) return controller.enqueue(line(chunk(value, timed)));
        // What follows the last word (its punctuation, say) runs to the audio's end: known only now.
        const characters = joinAlignments([timed, aligner.finish(words.end()?.audio_ms ?? 0)]);
        if (characters.characters.length > 0) controller.enqueue(line(chunk(new Uint8Array(0), characters)));
        controller.close();
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const headers = elevenLabsSpeechHeaders(c, synthesis, cache);
  headers.set('content-type', NDJSON);
  // `encodeBody: 'manual'` with no content-encoding: workerd neither compresses nor buffers the lines.
  return new Response(lines, { status: 200, headers, encodeBody: 'manual' });
});
