import { describe, expect, it } from 'vitest';
import type { WordTimestamp } from '../shared/protocol/timed-audio.ts';
import { settledBalance } from './harness/edge.ts';
import { completedJob, finishedJob, postJobFile } from './harness/jobs.ts';
import { useStack } from './harness/stack.ts';

/** Long-form jobs take SSML documents and pronunciation dictionaries: words point into the document, billing counts its text. */
const stack = useStack();
const CREDITS = 1_000_000;

const spoken = (i: number) => `Sentence ${i} is stored in SQL, then read back.`;
const sentence = (i: number) => `<s>Sentence ${i} is stored in <sub alias="sequel">SQL</sub>, then read back.</s>`;

const timestampsOf = async (id: string, key: string) => {
  const response = await stack.edge.fetch(`/v1/audio/jobs/${id}/timestamps`, { key });
  expect(response.status).toBe(200);
  return ((await response.json()) as { words: WordTimestamp[] }).words;
};

describe('jobs with SSML and dictionaries', () => {
  it('an SSML file is split between its sentences; words keep their offsets in the document; its text is what is billed', { timeout: 120_000 }, async () => {
    const { edge } = stack;
    const { key } = await edge.createKey({ credits: CREDITS });
    const count = 30;
    const body = Array.from({ length: count }, (_, i) => sentence(i + 1)).join('<break time="200ms"/>\n');
    const document = `<?xml version="1.0"?>\n<speak xml:lang="en">\n<p>${body}</p>\n</speak>\n`;
    const response = await postJobFile(edge, key, { bytes: document, type: 'application/ssml+xml', name: 'chapter.ssml' }, { model: 'espeak', voice: 'en-male', response_format: 'mp3' });
    expect(response.status, await response.clone().text()).toBe(202);
    const created = (await response.json()) as { id: string; chunks: number; characters: number };
    const billed = Array.from({ length: count }, (_, i) => [...spoken(i + 1)].length).reduce((a, b) => a + b, 0);
    expect(created.characters).toBe(billed);
    expect(created.chunks).toBeGreaterThan(1);

    const { job } = await finishedJob(edge, key, created.id, 90_000);
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const words = await timestampsOf(created.id, key);
    const points = [...document];
    for (const word of words) expect(points.slice(word.char_start, word.char_end).join(''), JSON.stringify(word)).toBe(word.word);
    // Every "SQL" is one word, in order, at its place in the document; no markup is ever a word.
    const sqlAt = [...document.matchAll(/SQL/g)].map((match) => [...document.slice(0, match.index)].length);
    expect(words.filter((w) => w.word === 'SQL').map((w) => w.char_start)).toEqual(sqlAt);
    expect(words.some((w) => /sub|alias|break|speak/.test(w.word))).toBe(false);
    expect(await settledBalance(edge, key)).toBe(CREDITS - billed);
  });

  it('a dictionary named by a job applies to every chunk', { timeout: 120_000 }, async () => {
    const { edge } = stack;
    const { key } = await edge.createKey({ credits: CREDITS });
    const made = await edge.fetch('/v1/pronunciation-dictionaries', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'job', rules: [{ type: 'alias', string_to_replace: 'SQL', alias: 'sequel' }] }),
    });
    expect(made.status, await made.clone().text()).toBe(201);
    const { id } = (await made.json()) as { id: string };
    const input = Array.from({ length: 40 }, (_, i) => spoken(i + 1)).join(' ');
    const plain = await completedJob(edge, key, { model: 'espeak', voice: 'en-male', language: 'en', input });
    const ruled = await completedJob(edge, key, { model: 'espeak', voice: 'en-male', language: 'en', input, pronunciation_dictionaries: [{ id }] });
    expect(ruled.chunks).toBeGreaterThan(1);
    const sqlMs = async (jobId: string) => (await timestampsOf(jobId, key)).filter((w) => w.word === 'SQL').map((w) => w.end_ms - w.start_ms);
    const spelled = await sqlMs(plain.id);
    const aliased = await sqlMs(ruled.id);
    expect(aliased).toHaveLength(40);
    aliased.forEach((ms, i) => expect(spelled[i]!, `SQL #${i + 1}`).toBeGreaterThan(ms * 1.1));
  });
});
