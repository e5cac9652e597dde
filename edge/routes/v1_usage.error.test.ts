import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

let edge: EdgeHarness;
let key: string;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
  ({ key } = await edge.createKey({ scopes: ['usage'] }));
});
afterAll(() => edge?.dispose());

async function expectError(query: string, status: number, code: string, param?: string) {
  const response = await edge.fetch(`/v1/usage${query}`, { key });
  expect(response.status).toBe(status);
  const { error } = (await response.json()) as { error: { code: string; param?: string; message: string } };
  expect(error.code).toBe(code);
  if (param) expect(error.param).toBe(param);
  return error;
}

describe('GET /v1/usage refuses bad queries clearly', () => {
  it('needs dates as YYYY-MM-DD', async () => {
    const error = await expectError('?start=yesterday', 400, 'invalid_parameter', 'start');
    expect(error.message).toContain('YYYY-MM-DD');
    await expectError('?end=2026-13-01', 400, 'invalid_parameter', 'end');
  });

  it('needs start before end and at most a year between them', async () => {
    await expectError('?start=2026-02-02&end=2026-02-01', 400, 'invalid_date_range', 'start');
    await expectError('?start=2024-01-01&end=2026-01-01', 400, 'invalid_date_range', 'start');
  });

  it('groups only by day, key, token, model, kind or cache, and says so', async () => {
    const error = await expectError('?group_by=voice', 400, 'invalid_parameter', 'group_by');
    for (const group of ['day', 'key', 'token', 'model', 'kind', 'cache']) expect(error.message).toContain(`"${group}"`);
    await expectError('?group_by=hit', 400, 'invalid_parameter', 'group_by');
  });

  it('needs a key', async () => {
    const response = await edge.fetch('/v1/usage');
    expect(response.status).toBe(401);
  });
});
