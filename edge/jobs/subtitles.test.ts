import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import { layoutLines, type SubtitleCue, subtitleCues, subtitles, subtitleTime, toSrt, toWebVtt } from './subtitles.ts';

const execFileAsync = promisify(execFile);

/** The words of `text` (letters, digits, apostrophes) with code point offsets, as WordTimestamp has them; word i at `startOf(i)`, lasting `lengthMs`. */
function timedWords(text: string, startOf: (i: number) => number, lengthMs: number): WordTimestamp[] {
  const chars = [...text];
  const words: WordTimestamp[] = [];
  let i = 0;
  while (i < chars.length) {
    if (!/[\p{L}\p{N}']/u.test(chars[i]!)) {
      i++;
      continue;
    }
    let end = i;
    while (end < chars.length && /[\p{L}\p{N}']/u.test(chars[end]!)) end++;
    const start_ms = startOf(words.length);
    words.push({ word: chars.slice(i, end).join(''), char_start: i, char_end: end, start_ms, end_ms: start_ms + lengthMs });
    i = end;
  }
  return words;
}

const STORY = '"Hello there," she said.\nThe quick brown fox jumps over the lazy dog near the old riverbank today. Wait!';
const storyWords = timedWords(STORY, (i) => i * 300, 250);

describe('subtitles of a known word list', () => {
  it('WebVTT: cues broken at sentence ends, the text as written, two balanced lines when one is too long', () => {
    expect(subtitles(storyWords, STORY, 'vtt')).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.000 --> 00:00:01.150',
        '"Hello there," she said.',
        '',
        '00:00:01.200 --> 00:00:05.350',
        'The quick brown fox jumps over the',
        'lazy dog near the old riverbank today.',
        '',
        '00:00:05.400 --> 00:00:05.650',
        'Wait!',
        '',
      ].join('\n'),
    );
  });

  it('SRT: the same cues, numbered, with a comma before the milliseconds', () => {
    expect(subtitles(storyWords, STORY, 'srt')).toBe(
      [
        '1',
        '00:00:00,000 --> 00:00:01,150',
        '"Hello there," she said.',
        '',
        '2',
        '00:00:01,200 --> 00:00:05,350',
        'The quick brown fox jumps over the',
        'lazy dog near the old riverbank today.',
        '',
        '3',
        '00:00:05,400 --> 00:00:05,650',
        'Wait!',
        '',
      ].join('\n'),
    );
  });

  it('ends a cue before a word that would make it last over 7 s', () => {
    const text = 'one two three four five six seven eight nine ten';
    const cues = subtitleCues(timedWords(text, (i) => i * 1_000, 500), text);
    expect(cues).toEqual([
      { start_ms: 0, end_ms: 6_500, lines: ['one two three four five six seven'] },
      { start_ms: 7_000, end_ms: 9_500, lines: ['eight nine ten'] },
    ]);
  });

  it('ends a cue before a word that two lines of 42 characters cannot hold', () => {
    const text = 'alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa quebec romeo sierra';
    const cues = subtitleCues(timedWords(text, (i) => i * 100, 80), text);
    expect(cues.length).toBeGreaterThan(1);
    for (const cue of cues) {
      expect(cue.lines.length).toBeLessThanOrEqual(2);
      for (const line of cue.lines) expect([...line].length).toBeLessThanOrEqual(42);
    }
    // Every word once, in order; and a cue is as full as it may be: the next cue's first word would not have fit.
    expect(cues.flatMap((cue) => cue.lines.join(' ').split(' '))).toEqual(text.split(' '));
    for (let i = 0; i + 1 < cues.length; i++) expect(layoutLines(`${cues[i]!.lines.join(' ')} ${cues[i + 1]!.lines[0]!.split(' ')[0]}`, 42)).toBeNull();
  });

  it('counts characters and offsets in code points, and keeps a word too long for a line whole', () => {
    const text = 'Café 😀 naïve façade. Pneumonoultramicroscopicsilicovolcanoconiosis!';
    const words = timedWords(text, (i) => i * 500, 400);
    expect(words.map(({ word }) => word)).toEqual(['Café', 'naïve', 'façade', 'Pneumonoultramicroscopicsilicovolcanoconiosis']);
    expect(subtitleCues(words, text).map(({ lines }) => lines)).toEqual([['Café 😀 naïve façade.'], ['Pneumonoultramicroscopicsilicovolcanoconiosis!']]);
  });

  it('escapes what WebVTT would read as markup; SRT keeps it, but a -->', () => {
    const text = 'Tom & Jerry <3 --> forever';
    const words = timedWords(text, (i) => i * 500, 400);
    expect(subtitles(words, text, 'vtt')).toContain('\nTom &amp; Jerry &lt;3 --&gt; forever\n');
    expect(subtitles(words, text, 'srt')).toContain('\nTom & Jerry <3 -> forever\n');
  });
});

describe('times', () => {
  it('are HH:MM:SS.mmm in WebVTT and HH:MM:SS,mmm in SRT, with hours past 1 h and past 99 h', () => {
    expect(subtitleTime(0, '.')).toBe('00:00:00.000');
    expect(subtitleTime(59_999.6, '.')).toBe('00:01:00.000');
    expect(subtitleTime(3_723_456, '.')).toBe('01:02:03.456');
    expect(subtitleTime(3_723_456, ',')).toBe('01:02:03,456');
    expect(subtitleTime(360_000_000 + 61_001, ',')).toBe('100:01:01,001');
  });
});

describe('empty input', () => {
  it('is a file with no cues', () => {
    expect(subtitles([], '', 'vtt')).toBe('WEBVTT\n');
    expect(subtitles([], 'no words were timed', 'srt')).toBe('');
  });
});

// ffmpeg, an independent reader of both formats, reads every cue back at its times.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'subtitles-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * The cues ffmpeg reads from `text`, and the format it took it for; rejects when it cannot read
 * it. The format is found from the text, as a player would; only an empty file, which has nothing
 * to detect it by, is read with the demuxer named (which takes anything, as no cues).
 */
async function readByFfmpeg(text: string, emptyAs?: 'webvtt' | 'srt'): Promise<{ format: string; cues: Array<{ start_ms: number; end_ms: number }> }> {
  const path = join(dir, crypto.randomUUID());
  await writeFile(path, text);
  const demuxer = text === '' && emptyAs ? ['-f', emptyAs] : [];
  const { stderr } = await execFileAsync('ffmpeg', ['-v', 'error', ...demuxer, '-i', path, '-map', '0', '-c', 'copy', '-f', 'null', '-']);
  expect(stderr).toBe('');
  const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', ...demuxer, '-show_packets', '-show_format', '-of', 'json', path]);
  const probed = JSON.parse(stdout) as { packets?: Array<{ pts: number; duration: number }>; format: { format_name: string } };
  return { format: probed.format.format_name, cues: (probed.packets ?? []).map(({ pts, duration }) => ({ start_ms: pts, end_ms: pts + duration })) };
}

describe('ffmpeg reads them', () => {
  const long: SubtitleCue[] = [
    { start_ms: 0, end_ms: 1_150, lines: ['First.'] },
    { start_ms: 3_723_456, end_ms: 3_725_000, lines: ['An hour in,', 'two lines.'] },
  ];

  const FFMPEG_NAMES = { vtt: 'webvtt', srt: 'srt' } as const;

  it.each(['vtt', 'srt'] as const)('%s: every cue, at its times', async (format) => {
    const expected = subtitleCues(storyWords, STORY).map(({ start_ms, end_ms }) => ({ start_ms, end_ms }));
    expect(await readByFfmpeg(subtitles(storyWords, STORY, format))).toEqual({ format: FFMPEG_NAMES[format], cues: expected });
    const written = format === 'vtt' ? toWebVtt(long) : toSrt(long);
    expect(await readByFfmpeg(written)).toEqual({ format: FFMPEG_NAMES[format], cues: long.map(({ start_ms, end_ms }) => ({ start_ms, end_ms })) });
  });

  it.each(['vtt', 'srt'] as const)('%s: the empty file', async (format) => {
    expect(await readByFfmpeg(subtitles([], '', format), FFMPEG_NAMES[format])).toEqual({ format: FFMPEG_NAMES[format], cues: [] });
  });

  it('and not what is none, so the checks above can fail', async () => {
    await expect(readByFfmpeg('00:00:01.000 --> 00:00:02.000\nno header\n')).rejects.toThrow();
    const malformed = (await readByFfmpeg('WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nan arrow short\n')).cues;
    expect(malformed).toEqual([]);
  });
});
