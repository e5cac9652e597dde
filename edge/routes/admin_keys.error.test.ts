import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

let edge: EdgeHarness;
let account: string;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
  account = (await edge.createAccount()).id;
});
afterAll(() => edge?.dispose());

const issue = (body: unknown) => edge.admin('POST', `/admin/accounts/${account}/keys`, body);

describe('allowed_origins takes exact origins only', () => {
  it.each([
    ['a path', 'https://app.example.com/page'],
    ['a trailing slash', 'https://app.example.com/'],
    ['a wildcard', 'https://*.example.com'],
    ['no scheme', 'app.example.com'],
    ['another scheme', 'ftp://app.example.com'],
    ['capitals', 'https://App.example.com'],
    ["the scheme's default port", 'https://app.example.com:443'],
    ['the opaque origin', 'null'],
    ['a star', '*'],
  ])('refuses %s: 400 invalid_parameter naming the entry', async (_, origin) => {
    const response = await issue({ allowed_origins: ['https://ok.example.com', origin] });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; param: string; message: string } };
    expect(error.code).toBe('invalid_parameter');
    expect(error.param).toBe('allowed_origins.1');
    expect(error.message).toContain('https://app.example.com');
  });

  it('refuses an empty list (null means any origin) and more than 50', async () => {
    for (const allowed_origins of [[], Array.from({ length: 51 }, (_, i) => `https://app${i}.example.com`)]) {
      const response = await issue({ allowed_origins });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe('allowed_origins');
    }
  });
});
