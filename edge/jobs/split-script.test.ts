import { describe, expect, it } from 'vitest';
import { parseSsmlScript } from '../pronunciation/ssml/parse-ssml.ts';
import { CHUNK_CHARACTERS, FIRST_CHUNK_CHARACTERS } from './split-text.ts';
import { splitJobScript } from './split-script.ts';

const sentence = (i: number) => `<s>Sentence ${i} is kept in <sub alias="sequel">SQL</sub>, then read back &amp; checked.</s>`;
const documentOf = (sentences: string) => `<?xml version="1.0"?>\n<speak xml:lang="en">\n<p>${sentences}</p>\n</speak>\n`;
const read = (document: string) => parseSsmlScript(document, { guessLanguage: () => 'en', maxCharacters: 1_000_000 });

describe('splitJobScript', () => {
  it('covers the document exactly, whole sentences a chunk, the first short, each run pointing into its chunk', () => {
    const document = documentOf(Array.from({ length: 60 }, (_, i) => sentence(i + 1)).join('<break time="200ms"/>\n'));
    const script = read(document);
    const chunks = splitJobScript(document, script);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(document);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks[0]!.characters).toBeLessThanOrEqual(FIRST_CHUNK_CHARACTERS);
    for (const chunk of chunks.slice(1)) expect(chunk.characters).toBeLessThanOrEqual(CHUNK_CHARACTERS);
    let offset = 0;
    for (const chunk of chunks) {
      expect(chunk.char_offset).toBe(offset);
      offset += [...chunk.text].length;
      const points = [...chunk.text];
      for (const item of chunk.script!.items) {
        if (item.kind !== 'text') continue;
        let at = 0;
        for (const run of item.source) {
          const said = [...item.text].slice(at, at + run.length).join('');
          const source = points.slice(run.input_start, run.input_start + (run.replaces ?? run.length)).join('');
          if (run.replaces === undefined) expect(source).toBe(said);
          else expect(['SQL', '&amp;']).toContain(source);
          at += run.length;
        }
      }
      // Every pause goes with the sentence before it: a chunk starts with words.
      expect(chunk.script!.items[0]!.kind).toBe('text');
    }
    // What the chunks bill, in all, is the input characters their runs stand for: an entity as written.
    const billed = chunks.reduce((sum, chunk) => sum + chunk.characters, 0);
    const written = Array.from({ length: 60 }, (_, i) => [...`Sentence ${i + 1} is kept in SQL, then read back &amp; checked.`].length);
    expect(billed).toBe(written.reduce((a, b) => a + b, 0));
  });

  it('cuts one long sentence-less stretch between its sentences, never inside a replacement', () => {
    const text = Array.from({ length: 80 }, (_, i) => `Line ${i} says <sub alias="World Wide Web">WWW</sub> again.`).join(' ');
    const document = `<speak>${text}</speak>`;
    const chunks = splitJobScript(document, read(document));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(document);
    for (const chunk of chunks) for (const item of chunk.script!.items) if (item.kind === 'text') expect(item.text.trim()).toMatch(/^Line \d+/);
  });
});
