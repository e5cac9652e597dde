import { z } from 'zod';
import { type ApiErrorBody, ApiErrorObjectSchema } from '../../shared/errors.ts';
import { WordTimestampSchema } from '../../shared/protocol/timed-audio.ts';
import { type NotHonored, NotHonoredSchema } from '../pronunciation/not-honored.ts';
import { base64 } from './base64.ts';
import type { SplitTimedAudio } from './timed-audio-split.ts';

/**
 * `stream_format: "sse"`: the audio stream re-framed as OpenAI's server-sent events. Each chunk
 * becomes a `speech.audio.delta` event (base64 audio), preceded by a `speech.audio.timestamps`
 * event when words start in it; a whole stream ends with `speech.audio.done` (usage, timings and
 * how the times were made), and a stream that fails ends with an `error` event instead. Unlike
 * raw audio, a client can always tell a complete stream from a cut one.
 */
export interface SseAudioOptions {
  /** Characters of input, reported in the done event's usage. */
  inputCharacters: number;
  /** The request's timings (ms), reported in the done event. */
  timings: Record<string, number>;
  /** Called for the error event when the upstream fails. */
  describeFailure(error: unknown): ApiErrorBody['error'];
  /** The words of the audio `upstream` carries (the split it came from), taken as each chunk is read. */
  words: Pick<SplitTimedAudio, 'takeWords' | 'end'>;
  /** Markup the model could not say as asked, reported in the done event. */
  notHonored: readonly NotHonored[];
}

/** The events, OpenAI's: each `data:` line of the stream holds one. */
export const SpeechStreamEventSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('speech.audio.delta'), audio: z.string().describe('The next audio bytes of `response_format`, base64.') }),
    z
      .object({ type: z.literal('speech.audio.timestamps'), words: z.array(WordTimestampSchema) })
      .describe('Sent right before the delta that holds these words\' audio (their start): each word of the input once, in order, with its times in ms from the start of the audio and its place in `input` in characters.'),
    z.object({
      type: z.literal('speech.audio.done'),
      usage: z
        .object({ input_tokens: z.number().int(), output_tokens: z.number().int(), total_tokens: z.number().int() })
        .describe('"Tokens" here are characters of input and bytes of audio out.'),
      timings: z.record(z.string(), z.number().int()).describe('ms: `admission_ms`, `queue_ms`, `first_audio_ms`.'),
      alignment: z
        .enum(['exact', 'estimated'])
        .describe('How the word times were made: read from the engine as it spoke (`exact`, espeak) or inferred (`estimated`, Qwen3-TTS).'),
      not_honored: z.array(NotHonoredSchema).optional().describe('Markup the model could not say as asked (said as plain text); absent when everything was honoured.'),
    }),
    z.object({ type: z.literal('error'), error: ApiErrorObjectSchema }).describe('The stream failed after it started; the audio before it is all there is.'),
  ])
  .meta({ id: 'SpeechStreamEvent' });
type SpeechStreamEvent = z.infer<typeof SpeechStreamEventSchema>;

const encoder = new TextEncoder();
const event = (payload: SpeechStreamEvent) => encoder.encode(`data: ${JSON.stringify(payload)}\n\n`);

export function audioToSse(upstream: ReadableStream<Uint8Array>, options: SseAudioOptions): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  let audioBytes = 0;
  // Words come before the audio that holds them: those taken after a chunk start in it (or earlier).
  const enqueueWords = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    const words = options.words.takeWords();
    if (words.length > 0) controller.enqueue(event({ type: 'speech.audio.timestamps', words }));
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          enqueueWords(controller);
          if (done) {
            // Usage in OpenAI's shape: "tokens" here are input characters and output bytes of audio.
            const usage = { input_tokens: options.inputCharacters, output_tokens: audioBytes, total_tokens: options.inputCharacters + audioBytes };
            const timings = Object.fromEntries(Object.entries(options.timings).map(([name, ms]) => [name, Math.round(ms)]));
            // No end frame would be a worker's slip: claim no more than an estimate.
            const alignment = options.words.end()?.alignment ?? 'estimated';
            const notHonored = options.notHonored.length > 0 ? { not_honored: [...options.notHonored] } : {};
            controller.enqueue(event({ type: 'speech.audio.done', usage, timings, alignment, ...notHonored }));
            controller.close();
            return;
          }
          audioBytes += value.byteLength;
          controller.enqueue(event({ type: 'speech.audio.delta', audio: base64(value) }));
        } catch (error) {
          controller.enqueue(event({ type: 'error', error: options.describeFailure(error) }));
          controller.close();
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
