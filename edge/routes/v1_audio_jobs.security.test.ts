import { describe, expect, it } from 'vitest';
import { longText } from '../../test/fixtures/long-text.ts';
import { mintToken, refusal } from '../../test/harness/client-tokens.ts';
import { completedJob, createJob, finishedJob, getJob, JOB_ROUTES, postJob } from '../../test/harness/jobs.ts';
import { useStack } from '../../test/harness/stack.ts';

// Who may see and touch a job: its account's keys with the speech scope, and no one else.
const stack = useStack();

const A_JOB = 'A short job. It has two sentences.';

describe("another account's job", () => {
  it('is 404 job_not_found on every job route, as one that never existed, and its DELETE cancels nothing', async () => {
    const alice = await stack.edge.createKey();
    const bob = await stack.edge.createKey();
    // Long enough to be still running when Bob tries to cancel it.
    const job = await createJob(stack.edge, alice.key, { input: longText(1_500) });
    await refusal(await stack.edge.fetch(`/v1/audio/jobs/${job.id}`, { method: 'DELETE', key: bob.key }), 404, 'job_not_found');
    expect(['queued', 'running'], 'still running after the cancel it refused').toContain((await getJob(stack.edge, alice.key, job.id)).status);
    for (const [method, path] of JOB_ROUTES) {
      const error = await refusal(await stack.edge.fetch(`/v1/audio/jobs/${job.id}${path}`, { method, key: bob.key }), 404, 'job_not_found');
      expect(error.message, `${method} ${path}`).not.toContain(alice.account_id);
    }
    const { job: finished } = await finishedJob(stack.edge, alice.key, job.id);
    expect(finished.status).toBe('completed');
    expect(finished.progress.chunks_done).toBe(finished.chunks);
  });

  it("does not show in the other account's list, nor serve as its cursor", async () => {
    const alice = await stack.edge.createKey();
    const bob = await stack.edge.createKey();
    const alices = await completedJob(stack.edge, alice.key, { input: A_JOB });
    const bobs = await createJob(stack.edge, bob.key, { input: A_JOB });
    const list = (await (await stack.edge.fetch('/v1/audio/jobs', { key: bob.key })).json()) as { data: Array<Record<string, unknown>> };
    expect(list.data.map((row) => row.id)).toEqual([bobs.id]);
    expect(JSON.stringify(list)).not.toContain(alices.id);
    expect(JSON.stringify(list)).not.toContain(alice.account_id);
    // Rows say nothing of the account they belong to.
    expect(list.data[0]).not.toHaveProperty('account_id');
    await refusal(await stack.edge.fetch(`/v1/audio/jobs?after=${alices.id}`, { key: bob.key }), 400, 'invalid_cursor');
    await finishedJob(stack.edge, bob.key, bobs.id);
  });
});

describe('the job routes take an API key with the speech scope', () => {
  it('refuse a client token with 403 token_scope, creating nothing', async () => {
    const { key } = await stack.edge.createKey();
    const job = await completedJob(stack.edge, key, { input: A_JOB });
    const token = await mintToken(stack.edge, key, { scopes: ['speech'] });
    await refusal(await postJob(stack.edge, token.token, { input: A_JOB }), 403, 'token_scope');
    await refusal(await stack.edge.fetch('/v1/audio/jobs', { key: token.token }), 403, 'token_scope');
    for (const [method, path] of JOB_ROUTES) {
      const error = await refusal(await stack.edge.fetch(`/v1/audio/jobs/${job.id}${path}`, { method, key: token.token }), 403, 'token_scope');
      expect(error.type, `${method} ${path}`).toBe('permission_error');
    }
    const list = (await (await stack.edge.fetch('/v1/audio/jobs', { key })).json()) as { data: Array<{ id: string }> };
    expect(list.data.map((row) => row.id)).toEqual([job.id]);
    expect((await getJob(stack.edge, key, job.id)).status).toBe('completed');
  });

  it('refuse a key without it with 403 missing_scope', async () => {
    const owner = await stack.edge.createKey();
    const job = await completedJob(stack.edge, owner.key, { input: A_JOB });
    const usageOnly = await stack.edge.createKey({ account: owner.account_id, scopes: ['usage', 'voices', 'tokens'] });
    expect((await refusal(await postJob(stack.edge, usageOnly.key, { input: A_JOB }), 403, 'missing_scope')).message).toContain('speech');
    await refusal(await stack.edge.fetch('/v1/audio/jobs', { key: usageOnly.key }), 403, 'missing_scope');
    for (const [method, path] of JOB_ROUTES) {
      await refusal(await stack.edge.fetch(`/v1/audio/jobs/${job.id}${path}`, { method, key: usageOnly.key }), 403, 'missing_scope');
    }
    expect((await getJob(stack.edge, owner.key, job.id)).status).toBe('completed');
  });

  it('refuse no key with 401 missing_api_key', async () => {
    await refusal(await postJob(stack.edge, '', { input: A_JOB }), 401, 'missing_api_key');
    await refusal(await stack.edge.fetch('/v1/audio/jobs/job_000000000000000000000000'), 401, 'missing_api_key');
  });
});
