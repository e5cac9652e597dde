import { describe, expect, it } from 'vitest';
import type { EdgeHarness } from '../../test/harness/edge.ts';
import { startStack, useStack } from '../../test/harness/stack.ts';

const stack = useStack();

const post = (edge: EdgeHarness, key: string, body: unknown) =>
  edge.fetch('/v1/audio/speech/with-timestamps', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('x-request-id')).toBeTruthy();
  const { error } = (await response.json()) as { error: { code: string; message: string } };
  expect(error.code).toBe(code);
  expect(error.message.length).toBeGreaterThan(10);
}

const accountOf = async (edge: EdgeHarness, accountId: string) =>
  (await (await edge.admin('GET', `/admin/accounts/${accountId}`)).json()) as { balance: number; usage: { credits_charged: number } };

describe('POST /v1/audio/speech/with-timestamps refuses as /v1/audio/speech does', () => {
  it('empty input: 400 empty_input', async () => {
    await expectError(await post(stack.edge, stack.key, { input: '' }), 400, 'empty_input');
  });

  it('a wrong key: 401 invalid_api_key, with the admission time in Server-Timing', async () => {
    const response = await post(stack.edge, 'sk_wrong', { input: 'Hi.' });
    expect(response.headers.get('server-timing')).toMatch(/admission;dur=[0-9.]+/);
    await expectError(response, 401, 'invalid_api_key');
  });

  it('a worker that dies before the audio is whole: 503 worker_failed, and nothing is charged', async () => {
    const doomed = await startStack();
    try {
      const { key, account_id } = await doomed.edge.createKey({ credits: 10_000 });
      const input = Array.from({ length: 60 }, (_, i) => `Sentence ${i} goes on for a while so that the synthesis lasts.`).join(' ');
      const answer = post(doomed.edge, key, { input, response_format: 'pcm' });
      // Killed once its answer has started: the only worker, so nothing can finish the audio. The
      // worker counts audio seconds after it has written the headers and the chunk's first frame
      // to the socket, so from then on they reach the edge even from a killed process.
      const audioSeconds = async () => Number((await (await fetch(`${doomed.worker.url}/metrics`)).text()).match(/^tts_audio_seconds_total(?:\{[^}]*\})?\s+(\S+)/m)?.[1] ?? 0);
      await expect.poll(audioSeconds, { timeout: 10_000, interval: 10 }).toBeGreaterThan(0);
      await doomed.worker.kill();
      await expectError(await answer, 503, 'worker_failed');
      await expect.poll(async () => (await accountOf(doomed.edge, account_id)).balance).toBe(10_000);
      expect((await accountOf(doomed.edge, account_id)).usage.credits_charged).toBe(0);
    } finally {
      await doomed.stop();
    }
  });
});
