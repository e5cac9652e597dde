import { describe, expect, it } from 'vitest';
import type { TextSegment } from '../../shared/protocol/worker-api.ts';
import type { EngineWord } from '../engines/types.ts';
import { SourceWords } from './source-words.ts';

/** Engine words for the given [start, end) offsets of the segment's text, 100 samples each, one after another. */
const said = (...spans: Array<[number, number]>): EngineWord[] =>
  spans.map(([charStart, charEnd], i) => ({ charStart, charEnd, startSample: i * 100, endSample: i * 100 + 90 }));
const slice = (text: string, word: EngineWord) => [...text].slice(word.charStart, word.charEnd).join('');

// input:  "Dr. Smith paid $5 today."   text: "Doctor Smith paid five dollars today."
const input = 'Dr. Smith paid $5 today.';
const segment: TextSegment = {
  text: 'Doctor Smith paid five dollars today.',
  language: 'en',
  source: [
    { length: 6, input_start: 0, replaces: 3 },
    { length: 12, input_start: 3 },
    { length: 12, input_start: 15, replaces: 2 },
    { length: 7, input_start: 17 },
  ],
};
const engineWords = said([0, 6], [7, 12], [13, 17], [18, 22], [23, 30], [31, 36]);

describe('SourceWords', () => {
  it('maps verbatim runs word for word and makes one word of a replaced run', () => {
    const words = new SourceWords(segment, 0);
    const out = [...words.push(engineWords), ...words.end()];
    expect(out.map((word) => slice(input, word))).toEqual(['Dr.', 'Smith', 'paid', '$5', 'today']);
    // The merged word runs from its first engine word's start to its last's end.
    expect(out[3]).toEqual({ charStart: 15, charEnd: 17, startSample: 300, endSample: 490 });
  });

  it('hands a word out at once unless it may still grow, and holds it only until its run is said', () => {
    const words = new SourceWords(segment, 0);
    expect(words.push(engineWords.slice(0, 1)).map((word) => slice(input, word))).toEqual(['Dr.']);
    expect(words.growing).toBe(false);
    expect(words.push(engineWords.slice(1, 4)).map((word) => slice(input, word))).toEqual(['Smith', 'paid']);
    expect(words.growing).toBe(true); // "five" of "five dollars"
    expect(words.push(engineWords.slice(4, 5)).map((word) => slice(input, word))).toEqual(['$5']);
    expect(words.growing).toBe(false);
  });

  it('lets the segment end release a word whose run the engine never finished', () => {
    const words = new SourceWords(segment, 0);
    expect(words.push(engineWords.slice(3, 4))).toEqual([]);
    expect(words.end().map((word) => slice(input, word))).toEqual(['$5']);
  });

  it('spans the union of the runs a word crosses', () => {
    // input "5th", said "fifth": "fif" stands for "5", "th" is as written.
    const words = new SourceWords({ text: 'fifth', language: 'en', source: [{ length: 3, input_start: 0, replaces: 1 }, { length: 2, input_start: 1 }] }, 0);
    expect(words.push(said([0, 5]))).toEqual([{ charStart: 0, charEnd: 3, startSample: 0, endSample: 90 }]);
  });

  it('counts a segment without runs on from the text segments before it', () => {
    const words = new SourceWords({ text: 'Hallo Welt', language: 'de' }, 7);
    expect(words.push(said([0, 5], [6, 10])).map((word) => slice('Hello. Hallo Welt', word))).toEqual(['Hallo', 'Welt']);
  });

  it('gives a replaced run said as several words their combined span when they come in separate pushes', () => {
    const words = new SourceWords(segment, 0);
    words.push(engineWords.slice(0, 4));
    const [merged] = words.push(engineWords.slice(4));
    expect(merged).toMatchObject({ charStart: 15, charEnd: 17 });
  });
});
