import { beforeAll, describe, expect, it } from 'vitest';
import { FORMATS } from '../../shared/audio/formats.ts';
import type { WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import { decodeAudio } from '../../test/decode-audio.ts';
import { bytesOf, completedJob, createJob, finishedJob, getJob, type JobView, postJobFile, readJobEvents, streamCodecs } from '../../test/harness/jobs.ts';
import { useStack } from '../../test/harness/stack.ts';
import { expectWellFormedWords, wordsOf } from '../../test/word-timestamps.ts';
import { splitJobText } from '../jobs/split-text.ts';

// The job routes against one real gpu-worker (espeak), the edge in workerd with Miniflare's queue,
// R2 and Durable Objects: jobs of a few sentences, two chunks each, render in about a second.
const stack = useStack();

/** Three short paragraphs: two chunks (the first at most 300 characters). */
const STORY = [
  'The lighthouse keeper climbed the stairs at dusk. He counted every step, as he had done for thirty years. The lamp was cold, and the glass was dusty.',
  'Far below, the sea rolled against the rocks. A small boat was coming home late, its sail patched and grey. The keeper wiped the glass and struck a match.',
  'The light turned slowly over the water. On the boat, a girl looked up and waved. She knew the light, and the light knew the way home.',
].join('\n\n');

const SAMPLE_RATE = 24_000;
type Timestamps = { job_id: string; status: string; complete: boolean; words: WordTimestamp[] };

/** The completed STORY job (mp3, with metadata), made once for the tests that read it. */
let story: JobView;
let storyAudio: Uint8Array;
beforeAll(async () => {
  story = await completedJob(stack.edge, stack.key, { input: STORY, response_format: 'mp3', metadata: { book: 'The Lighthouse', part: '1' } });
  storyAudio = await bytesOf(await stack.edge.fetch(`/v1/audio/jobs/${story.id}/audio`, { key: stack.key }));
});

describe('POST /v1/audio/jobs', () => {
  it('answers 202 with Location and the job: its fields, its chunk count, its metadata', async () => {
    const response = await stack.edge.fetch('/v1/audio/jobs', {
      method: 'POST',
      key: stack.key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: STORY, response_format: 'wav', metadata: { chapter: 'seven' } }),
    });
    expect(response.status, await response.clone().text()).toBe(202);
    const job = (await response.json()) as JobView;
    expect(response.headers.get('location')).toBe(`/v1/audio/jobs/${job.id}`);
    expect(job.id).toMatch(/^job_[0-9a-f]{24}$/);
    const chunks = splitJobText(STORY).length;
    expect(chunks).toBeGreaterThanOrEqual(2);
    expect(job).toMatchObject({
      object: 'audio.job',
      model: 'espeak',
      language: null,
      response_format: 'wav',
      sample_rate: SAMPLE_RATE,
      characters: [...STORY].length,
      chunks,
      error: null,
      webhook: { status: 'none' },
      metadata: { chapter: 'seven' },
      finished_at: null,
      expires_at: null,
    });
    expect(['queued', 'running']).toContain(job.status);
    expect(typeof job.voice).toBe('string');
    expect(Date.parse(job.created_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(job.progress).toMatchObject({ chunks_done: 0, chunks_failed: 0, characters_done: 0, bytes: 0, fraction: 0 });
    expect(job.progress.chunks_in_flight).toBeGreaterThan(0);
    expect(await finishedJob(stack.edge, stack.key, job.id).then(({ job: done }) => done.status)).toBe('completed');
  });

  it('GET shows its progress until it is completed: fraction and chunks never go back, then the totals', async () => {
    const created = await createJob(stack.edge, stack.key, { input: STORY });
    const { job, seen } = await finishedJob(stack.edge, stack.key, created.id);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.version).toBeGreaterThanOrEqual(seen[i - 1]!.version);
      expect(seen[i]!.progress.fraction).toBeGreaterThanOrEqual(seen[i - 1]!.progress.fraction);
      expect(seen[i]!.progress.chunks_done).toBeGreaterThanOrEqual(seen[i - 1]!.progress.chunks_done);
    }
    expect(job).toMatchObject({ status: 'completed', response_format: 'mp3', error: null, metadata: {} });
    expect(job.progress).toMatchObject({ chunks_done: job.chunks, chunks_in_flight: 0, chunks_failed: 0, retries: 0, characters_done: job.characters, fraction: 1, estimated_seconds_left: null });
    expect(job.progress.audio_ms).toBeGreaterThan(5_000);
    expect(job.progress.bytes).toBeGreaterThan(0);
    expect(Date.parse(job.started_at!)).toBeGreaterThanOrEqual(Date.parse(job.created_at));
    expect(Date.parse(job.finished_at!)).toBeGreaterThanOrEqual(Date.parse(job.started_at!));
    expect(Date.parse(job.expires_at!)).toBeGreaterThan(Date.parse(job.finished_at!));
  });

  it('returns its metadata with the job, then and later', async () => {
    expect(story.metadata).toEqual({ book: 'The Lighthouse', part: '1' });
    expect((await getJob(stack.edge, stack.key, story.id)).metadata).toEqual({ book: 'The Lighthouse', part: '1' });
  });

  it('takes a Markdown file: its markup is not spoken', async () => {
    const markdown = '# The *Keeper*\n\nHe climbed the **stairs** at dusk, as he had for _thirty_ years.\n\n- The lamp was cold.\n- The [glass](https://example.com) was dusty.\n';
    const response = await postJobFile(stack.edge, stack.key, { bytes: markdown, type: 'text/markdown', name: 'keeper.md' }, { response_format: 'opus', metadata: '{"source":"file"}' });
    expect(response.status, await response.clone().text()).toBe(202);
    const created = (await response.json()) as JobView;
    expect(created).toMatchObject({ response_format: 'opus', metadata: { source: 'file' } });
    const { job } = await finishedJob(stack.edge, stack.key, created.id);
    expect(job.status).toBe('completed');
    const timestamps = (await (await stack.edge.fetch(`/v1/audio/jobs/${job.id}/timestamps`, { key: stack.key })).json()) as Timestamps;
    const spoken = timestamps.words.map((word) => word.word);
    expect(spoken.join(' ')).not.toMatch(/[#*_[\]()]|https/);
    expect(spoken).toEqual(expect.arrayContaining(['Keeper', 'stairs', 'thirty', 'glass', 'dusty']));
    // The job's text is the document's words: fewer characters than the file.
    expect(job.characters).toBeLessThan([...markdown].length);
  });
});

describe('GET /v1/audio/jobs', () => {
  it('lists the account\'s jobs newest first, a page at a time with limit and after', async () => {
    const { key } = await stack.edge.createKey();
    const created: JobView[] = [];
    for (const input of ['First of three.', 'Second of three.', 'Third of three.']) created.push(await createJob(stack.edge, key, { input }));
    // Newest first: by creation time, then id (two jobs created in one millisecond).
    const newestFirst = [...created].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id)).map((job) => job.id);

    type Page = { object: string; data: Array<{ id: string; [field: string]: unknown }>; has_more: boolean; next_after: string | null };
    const page = async (query: string) => {
      const response = await stack.edge.fetch(`/v1/audio/jobs${query}`, { key });
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as Page;
    };
    const all = await page('');
    expect(all).toMatchObject({ object: 'list', has_more: false, next_after: null });
    expect(all.data.map((job) => job.id)).toEqual(newestFirst);
    expect(all.data[0]).toEqual({
      id: newestFirst[0],
      status: expect.any(String),
      model: 'espeak',
      voice: created[0]!.voice,
      response_format: 'mp3',
      characters: expect.any(Number),
      chunks: 1,
      created_at: expect.any(String),
      finished_at: expect.toSatisfy((value: unknown) => value === null || typeof value === 'string'),
    });

    const first = await page('?limit=2');
    expect(first.data.map((job) => job.id)).toEqual(newestFirst.slice(0, 2));
    expect(first).toMatchObject({ has_more: true, next_after: newestFirst[1] });
    const second = await page(`?limit=2&after=${first.next_after}`);
    expect(second.data.map((job) => job.id)).toEqual(newestFirst.slice(2));
    expect(second).toMatchObject({ has_more: false, next_after: null });
    // A page that ends exactly at the last job says there is no more.
    expect(await page('?limit=3')).toMatchObject({ has_more: false, next_after: null });

    for (const job of created) expect((await finishedJob(stack.edge, key, job.id)).job.status).toBe('completed');
  });
});

describe('GET /v1/audio/jobs/{id}/audio of a completed job', () => {
  it.each(['mp3', 'opus', 'aac', 'wav', 'flac'] as const)('%s: its content type and length, one stream that ffmpeg decodes to the audio the job reports', async (format) => {
    const job = await completedJob(stack.edge, stack.key, { input: STORY, response_format: format });
    const response = await stack.edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key: stack.key });
    const bytes = await bytesOf(response);
    expect(response.headers.get('content-type')).toBe(FORMATS[format].contentType);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(response.headers.get('content-length'))).toBe(bytes.byteLength);
    // The chunks' bytes, and for wav the one RIFF header before them; flac's frame headers grow in
    // the file by the sample numbers of where they land, after its fLaC header.
    // (flac's chunks are stored with an index of their frames, which the file has not: within 1%).
    if (format === 'flac') expect(Math.abs(bytes.byteLength - job.progress.bytes)).toBeLessThan(job.progress.bytes / 100);
    else expect(bytes.byteLength).toBe(job.progress.bytes + (format === 'wav' ? 44 : 0));
    expect(await streamCodecs(bytes)).toHaveLength(1);
    const samples = await decodeAudio(bytes, format, SAMPLE_RATE);
    const decodedMs = (samples.length / SAMPLE_RATE) * 1000;
    // A decoder plays at most a frame of padding beyond what the chunks add.
    expect(Math.abs(decodedMs - job.progress.audio_ms), `decoded ${decodedMs} ms, the job says ${job.progress.audio_ms}`).toBeLessThan(100);
  });

  it('answers Range with 206, Content-Range and the bytes of the whole file at those offsets', async () => {
    const size = storyAudio.byteLength;
    const middle = Math.floor(size / 2);
    const ranges: Array<[string, number, number]> = [
      ['bytes=0-99', 0, 99],
      [`bytes=${middle - 1000}-${middle + 1000}`, middle - 1000, middle + 1000],
      [`bytes=${middle}-`, middle, size - 1],
      ['bytes=-300', size - 300, size - 1],
      [`bytes=${size - 10}-${size + 1000}`, size - 10, size - 1],
    ];
    for (const [range, start, end] of ranges) {
      const response = await stack.edge.fetch(`/v1/audio/jobs/${story.id}/audio`, { key: stack.key, headers: { range } });
      const bytes = await bytesOf(response, 206);
      expect(response.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${size}`);
      expect(Number(response.headers.get('content-length')), range).toBe(end - start + 1);
      expect(Buffer.from(bytes).equals(Buffer.from(storyAudio.subarray(start, end + 1))), range).toBe(true);
    }
  });

  it('a flac job: each Range is the whole file\'s bytes at those offsets, though its chunks\' lengths there are not their stored ones', async () => {
    const job = await completedJob(stack.edge, stack.key, { input: STORY, response_format: 'flac' });
    const whole = await bytesOf(await stack.edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key: stack.key }));
    const size = whole.byteLength;
    const ranges: Array<[string, number, number]> = [
      ['bytes=0-41', 0, 41],
      [`bytes=40-${Math.floor(size / 2)}`, 40, Math.floor(size / 2)],
      [`bytes=${Math.floor(size / 3)}-`, Math.floor(size / 3), size - 1],
      ['bytes=-5000', size - 5000, size - 1],
    ];
    for (const [range, start, end] of ranges) {
      const response = await stack.edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key: stack.key, headers: { range } });
      const bytes = await bytesOf(response, 206);
      expect(response.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${size}`);
      expect(Buffer.from(bytes).equals(Buffer.from(whole.subarray(start, end + 1))), range).toBe(true);
    }
  });

  it('a Range of a wav crosses from its header into the first chunk', async () => {
    const job = await completedJob(stack.edge, stack.key, { input: 'A short one. It has two sentences.', response_format: 'wav' });
    const whole = await bytesOf(await stack.edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key: stack.key }));
    const response = await stack.edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key: stack.key, headers: { range: 'bytes=30-59' } });
    const bytes = await bytesOf(response, 206);
    expect(Buffer.from(bytes).equals(Buffer.from(whole.subarray(30, 60)))).toBe(true);
  });
});

describe('GET /v1/audio/jobs/{id}/timestamps and /subtitles', () => {
  it("timestamps: every word in order on the file's clock, its offsets pointing at the word in the job's text", async () => {
    const response = await stack.edge.fetch(`/v1/audio/jobs/${story.id}/timestamps`, { key: stack.key });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const timestamps = (await response.json()) as Timestamps;
    expect(timestamps).toMatchObject({ job_id: story.id, status: 'completed', complete: true });
    const fileMs = ((await decodeAudio(storyAudio, 'mp3', SAMPLE_RATE)).length / SAMPLE_RATE) * 1000;
    expectWellFormedWords(timestamps.words, STORY, fileMs);
    expect(timestamps.words.map((word) => word.word)).toEqual(wordsOf(STORY));
    // The second chunk's words are placed after the first chunk's audio, not from 0.
    const secondChunkStart = [...splitJobText(STORY)[0]!.text].length;
    const firstOfSecond = timestamps.words.find((word) => word.char_start >= secondChunkStart)!;
    expect(firstOfSecond.start_ms).toBeGreaterThan(3_000);
    expect(timestamps.words.at(-1)!.end_ms).toBeGreaterThan(fileMs - 2_000);
  });

  it('subtitles: WebVTT by default and SRT, whose cues quote every word of the text in order', async () => {
    const vtt = await stack.edge.fetch(`/v1/audio/jobs/${story.id}/subtitles`, { key: stack.key });
    expect(vtt.status).toBe(200);
    expect(vtt.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
    const vttText = await vtt.text();
    expect(vttText.startsWith('WEBVTT\n')).toBe(true);
    const vttCues = vttText.split('\n\n').slice(1).filter(Boolean);
    for (const cue of vttCues) expect(cue).toMatch(/^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}\n/);

    const srt = await stack.edge.fetch(`/v1/audio/jobs/${story.id}/subtitles?format=srt`, { key: stack.key });
    expect(srt.status).toBe(200);
    expect(srt.headers.get('content-type')).toBe('application/x-subrip; charset=utf-8');
    const srtCues = (await srt.text()).split('\n\n').filter((block) => block.trim());
    srtCues.forEach((cue, i) => expect(cue).toMatch(new RegExp(`^${i + 1}\\n\\d\\d:\\d\\d:\\d\\d,\\d{3} --> \\d\\d:\\d\\d:\\d\\d,\\d{3}\\n`)));
    expect(srtCues).toHaveLength(vttCues.length);

    // A cue's text: its lines after the timing line.
    const cueText = (cues: string[]) => cues.map((cue) => cue.slice(cue.indexOf('\n', cue.indexOf('-->')) + 1)).join(' ');
    expect(wordsOf(cueText(vttCues))).toEqual(wordsOf(STORY));
    expect(wordsOf(cueText(srtCues))).toEqual(wordsOf(STORY));
  });
});

describe('GET /v1/audio/jobs/{id}/events', () => {
  it('sends progress, then completed, with increasing ids (the versions); Last-Event-ID resumes after it', async () => {
    const created = await createJob(stack.edge, stack.key, { input: STORY, response_format: 'aac' });
    const events = await readJobEvents(await stack.edge.fetch(`/v1/audio/jobs/${created.id}/events`, { key: stack.key }));
    expect(events[0]!.event).toBe('progress');
    expect(events.at(-1)!.event).toBe('completed');
    expect(events.slice(0, -1).every((event) => event.event === 'progress')).toBe(true);
    for (const [i, event] of events.entries()) {
      expect(event.id).toBe(event.data.version);
      expect(event.data.id).toBe(created.id);
      if (i > 0) expect(event.id).toBeGreaterThan(events[i - 1]!.id);
    }
    expect(events.at(-1)!.data).toMatchObject({ status: 'completed', progress: { fraction: 1 } });

    const resumed = await readJobEvents(await stack.edge.fetch(`/v1/audio/jobs/${created.id}/events`, { key: stack.key, headers: { 'last-event-id': String(events[0]!.id) } }));
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((event) => event.id > events[0]!.id)).toBe(true);
    expect(resumed.at(-1)).toMatchObject({ event: 'completed', id: events.at(-1)!.id });

    // After the last event of a finished job there is nothing to wait for: 204 stops an EventSource reconnecting.
    const after = await stack.edge.fetch(`/v1/audio/jobs/${created.id}/events`, { key: stack.key, headers: { 'last-event-id': String(events.at(-1)!.id) }, signal: AbortSignal.timeout(5_000) });
    expect(after.status).toBe(204);
    expect(await after.text()).toBe('');
  });
});

describe('DELETE /v1/audio/jobs/{id}', () => {
  it('of a finished job changes nothing: the job, its audio', async () => {
    const before = await getJob(stack.edge, stack.key, story.id);
    const response = await stack.edge.fetch(`/v1/audio/jobs/${story.id}`, { method: 'DELETE', key: stack.key });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(before);
    expect(await getJob(stack.edge, stack.key, story.id)).toEqual(before);
    const audio = await bytesOf(await stack.edge.fetch(`/v1/audio/jobs/${story.id}/audio`, { key: stack.key }));
    expect(Buffer.from(audio).equals(Buffer.from(storyAudio))).toBe(true);
  });
});
