import { TextChunker } from '../realtime/chunker.ts';
import type { JobChunk } from './job-types.ts';

/** The first chunk is short, so that the job's first audio (a player following it) comes soon. */
export const FIRST_CHUNK_CHARACTERS = 300;
/** Chunks after the first are packed up to this many characters, whole sentences each. */
export const CHUNK_CHARACTERS = 1_200;
/** A chunk this long may end at a paragraph's end, short of CHUNK_CHARACTERS. */
const PARAGRAPH_CUT_CHARACTERS = 300;
/** A sentence without a boundary this long is cut at a space (the realtime chunker's rule). */
const LONGEST_SENTENCE = 1_000;

const codePoints = (text: string) => [...text].length;

/** The text cut into sentences by the realtime chunker's rules; joined, they are the text. */
export function sentencesOf(text: string): string[] {
  const chunker = new TextChunker({ boundary: 'sentence', max_characters: LONGEST_SENTENCE, max_delay_ms: 1000 });
  return [...chunker.push(text, 0), chunker.flush()].filter((piece) => piece.length > 0);
}
const endsParagraph = (piece: string) => /\n\s*$/u.test(piece);

/**
 * Splits a job's text where a listener would not notice: into sentences by the realtime
 * chunker's rules (sentence ends, line breaks, no cut after "Dr." or "3."; a run-on sentence at a
 * space), then packs whole sentences into chunks, ending a chunk at a paragraph's end once it is
 * long enough. The chunks cover the text exactly, in order (whitespace between sentences goes
 * with the sentence before), so offsets into the job's text stay true; every chunk has something
 * to say.
 */
export function splitJobText(text: string): JobChunk[] {
  const sentences = sentencesOf(text);

  const chunks: JobChunk[] = [];
  let current = '';
  let offset = 0;
  const cut = () => {
    if (current.length === 0) return;
    const characters = codePoints(current);
    chunks.push({ index: chunks.length, text: current, char_offset: offset, characters });
    offset += characters;
    current = '';
  };
  for (const sentence of sentences) {
    if (sentence.trim().length > 0 && current.trim().length > 0) {
      // Before a sentence with something to say: cut at a paragraph's end once long enough, and
      // before a sentence that would take the chunk past its limit.
      const length = codePoints(current);
      const limit = chunks.length === 0 ? FIRST_CHUNK_CHARACTERS : CHUNK_CHARACTERS;
      const atParagraph = endsParagraph(current) && length >= (chunks.length === 0 ? 1 : PARAGRAPH_CUT_CHARACTERS);
      if (atParagraph || length + codePoints(sentence) > limit) cut();
    }
    current += sentence;
  }
  cut();
  return chunks;
}
