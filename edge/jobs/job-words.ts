import type { WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import type { Env } from '../env.ts';
import { leadInSamples } from './joining/index.ts';
import type { JobLayout } from './job-types.ts';

/**
 * The words of the job's ready chunks on the whole file's clock: a chunk's words move by the
 * audio of the chunks before it (and the encoder's lead-in of their format), and their character
 * offsets by where the chunk starts in the job's text. Yields chunk by chunk, read from R2.
 */
export async function* fileWords(env: Env, layout: JobLayout): AsyncGenerator<WordTimestamp[]> {
  const { spec } = layout;
  let samplesBefore = 0;
  for (const chunk of layout.ready) {
    const leadInMs = (leadInSamples(spec.response_format, spec.sample_rate, chunk.index) / spec.sample_rate) * 1000;
    const object = await env.JOB_AUDIO.get(chunk.words_key);
    if (!object) throw new Error(`the words of chunk ${chunk.index} of job ${spec.id} are missing from storage`);
    const words = (await object.json()) as WordTimestamp[];
    const startMs = (samplesBefore / spec.sample_rate) * 1000 + leadInMs;
    yield words.map((word) => ({
      ...word,
      start_ms: Math.round(word.start_ms + startMs),
      end_ms: Math.round(word.end_ms + startMs),
      char_start: word.char_start + chunk.char_offset,
      char_end: word.char_end + chunk.char_offset,
    }));
    samplesBefore += chunk.samples;
  }
}
