import { describe, expect, it } from 'vitest';
import { espeakJobText } from './espeak-text.ts';

/** Code point index of `part` in `text`. */
const at = (text: string, part: string) => [...text.slice(0, text.indexOf(part))].length;

describe('espeakJobText', () => {
  it("escapes what espeak's SSML reader would take as markup, entities and phoneme input", () => {
    const job = espeakJobText('a <break time="1s"/> & [[x]] b');
    expect(job.text).toBe('a &lt;break time="1s"/&gt; &amp; [\u2060[x]] b');
    // espeak reports "&" at the entity's last character: it is the source's "&".
    expect(job.toSource(at(job.text, '; ['), 1)).toEqual({ start: 21, end: 22 });
    expect(job.toSource(at(job.text, 'break'), 5)).toEqual({ start: 3, end: 8 });
    expect(job.toSource(at(job.text, ' b') + 1, 1)).toEqual({ start: 29, end: 30 });
  });

  it('says a stretch as its mnemonics, every event inside it standing for the whole stretch', () => {
    const job = espeakJobText('say tomato now', [{ start: 4, end: 10, mnemonics: "t@m'A:toU" }]);
    expect(job.text).toBe("say [[t@m'A:toU]] now");
    expect(job.toSource(at(job.text, 't@m'), 1)).toEqual({ start: 4, end: 10 });
    expect(job.toSource(at(job.text, 'toU'), 1)).toEqual({ start: 4, end: 10 });
    expect(job.toSource(at(job.text, 'now'), 3)).toEqual({ start: 11, end: 14 });
  });

  it('wraps the text in emphasis, counting past the tag, in code points', () => {
    const job = espeakJobText('😀 hi <3', [], true);
    expect(job.text).toBe('<emphasis>😀 hi &lt;3</emphasis>');
    expect(job.toSource(at(job.text, 'hi'), 2)).toEqual({ start: 2, end: 4 });
  });
});
