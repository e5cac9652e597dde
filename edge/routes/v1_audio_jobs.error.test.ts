import { describe, expect, it } from 'vitest';
import { longText } from '../../test/fixtures/long-text.ts';
import { refusal } from '../../test/harness/client-tokens.ts';
import { bytesOf, completedJob, createJob, finishedJob, JOB_ROUTES, postJob, postJobFile } from '../../test/harness/jobs.ts';
import { useStack } from '../../test/harness/stack.ts';

// What the job routes refuse, and that a refusal leaves nothing behind: one real gpu-worker (the
// model and voice checks ask the pool), the edge in workerd.
const stack = useStack();

const A_JOB = 'A short job. It has two sentences.';
type Usage = { balance: number; reserved: number };
const usageOf = async (key: string) => (await (await stack.edge.fetch('/v1/usage', { key })).json()) as Usage;

describe('POST /v1/audio/jobs refuses what it cannot speak', () => {
  it('an empty or blank input: 400 empty_input', async () => {
    for (const input of ['', '   \n\n  ']) await refusal(await postJob(stack.edge, stack.key, { input }), 400, 'empty_input');
  });

  it('1,000,001 characters: 413 input_too_long, though at 4 bytes each they pass the body limit', async () => {
    // U+1F600 is 4 bytes of UTF-8: the body is over 4,000,000 bytes, and it is the text's length that is refused.
    const input = '\u{1F600}'.repeat(1_000_001);
    const error = await refusal(await postJob(stack.edge, stack.key, { input }), 413, 'input_too_long');
    expect(error.message).toContain('1000001');
  });

  it('pcm (a speech format, but no file to join into): 400 invalid_parameter naming the formats a job takes', async () => {
    const error = await refusal(await postJob(stack.edge, stack.key, { input: A_JOB, response_format: 'pcm' }), 400, 'invalid_parameter');
    expect(error.param).toBe('response_format');
    for (const format of ['mp3', 'opus', 'aac', 'flac', 'wav']) expect(error.message).toContain(format);
  });

  it("an unknown voice: a preset that does not exist, a voice id the account lacks: 404 voice_not_found; an unknown model: 404 model_not_found", async () => {
    await refusal(await postJob(stack.edge, stack.key, { input: A_JOB, voice: 'no-such-preset' }), 404, 'voice_not_found');
    await refusal(await postJob(stack.edge, stack.key, { input: A_JOB, voice: 'voice_0123456789abcdef0123456789abcdef' }), 404, 'voice_not_found');
    await refusal(await postJob(stack.edge, stack.key, { input: A_JOB, model: 'no-such-model' }), 404, 'model_not_found');
  });

  it('a webhook_url that is not an http(s) URL: 400 invalid_webhook_url', async () => {
    for (const webhook_url of ['not a url', 'ftp://example.com/hook', 'https://user:secret@example.com/hook', '']) {
      const error = await refusal(await postJob(stack.edge, stack.key, { input: A_JOB, webhook_url }), 400, 'invalid_webhook_url');
      expect(error.param, webhook_url).toBe('webhook_url');
    }
  });

  it('a file that is not text, Markdown or SSML: 400 unsupported_file_type; SSML that is not right: 400 invalid_ssml at its place', async () => {
    const ssml = await postJobFile(stack.edge, stack.key, { bytes: '<speak>Hello <audio src="x"/> there.</speak>', type: 'application/ssml+xml', name: 'hello.ssml' });
    expect((await refusal(ssml, 400, 'invalid_ssml')).message).toContain('line 1, column 14');
    const ssmlByName = await postJobFile(stack.edge, stack.key, { bytes: '<speak>Hello <s>there.</speak>', type: '', name: 'hello.ssml' });
    await refusal(ssmlByName, 400, 'invalid_ssml');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await refusal(await postJobFile(stack.edge, stack.key, { bytes: png, type: 'image/png', name: 'page.png' }), 400, 'unsupported_file_type');
  });

  it('more characters than the account has credits: 402 insufficient_credits, and nothing is held or charged', async () => {
    const { key } = await stack.edge.createKey({ credits: 20 });
    await refusal(await postJob(stack.edge, key, { input: A_JOB }), 402, 'insufficient_credits');
    expect(await usageOf(key)).toEqual(expect.objectContaining({ balance: 20, reserved: 0 }));
    const list = (await (await stack.edge.fetch('/v1/audio/jobs', { key })).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
  });
});

describe('the other job routes refuse clearly', () => {
  it('a list cursor that names no job of the account: 400 invalid_cursor', async () => {
    for (const after of ['job_000000000000000000000000', 'nonsense']) {
      const error = await refusal(await stack.edge.fetch(`/v1/audio/jobs?after=${after}`, { key: stack.key }), 400, 'invalid_cursor');
      expect(error.param).toBe('after');
    }
    await refusal(await stack.edge.fetch('/v1/audio/jobs?limit=0', { key: stack.key }), 400, 'invalid_parameter');
  });

  it('a Range past the end of the file: 416 with the size in Content-Range', async () => {
    const job = await completedJob(stack.edge, stack.key, { input: A_JOB });
    const size = (await bytesOf(await stack.edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key: stack.key }))).byteLength;
    for (const range of [`bytes=${size}-`, `bytes=${size + 100}-${size + 200}`, 'bytes=-0']) {
      const response = await stack.edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key: stack.key, headers: { range } });
      await refusal(response, 416, 'range_not_satisfiable');
      expect(response.headers.get('content-range'), range).toBe(`bytes */${size}`);
    }
  });

  it('the audio of a cancelled job: 409 job_not_ready', async () => {
    // Long enough (several chunks on one worker) that the cancel comes long before it could complete.
    const job = await createJob(stack.edge, stack.key, { input: longText(6_000) });
    const cancel = await stack.edge.fetch(`/v1/audio/jobs/${job.id}`, { method: 'DELETE', key: stack.key });
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as { status: string }).status).toBe('cancelled');
    expect((await finishedJob(stack.edge, stack.key, job.id)).job.status).toBe('cancelled');
    const error = await refusal(await stack.edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key: stack.key }), 409, 'job_not_ready');
    expect(error.message).toContain('cancelled');
  });

  it('an unknown job, or a malformed id: 404 job_not_found on every job route', async () => {
    for (const id of ['job_000000000000000000000000', 'not-a-job']) {
      for (const [method, path] of JOB_ROUTES) {
        await refusal(await stack.edge.fetch(`/v1/audio/jobs/${id}${path}`, { method, key: stack.key }), 404, 'job_not_found');
      }
    }
  });

  it('subtitles in a format other than vtt or srt: 400 invalid_parameter', async () => {
    const job = await completedJob(stack.edge, stack.key, { input: A_JOB });
    await refusal(await stack.edge.fetch(`/v1/audio/jobs/${job.id}/subtitles?format=ass`, { key: stack.key }), 400, 'invalid_parameter');
  });
});
