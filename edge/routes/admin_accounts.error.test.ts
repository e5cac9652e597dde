import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

async function expectError(response: Response, status: number, code: string, param?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('x-request-id')).toBeTruthy();
  const { error } = (await response.json()) as { error: { code: string; type: string; message: string; param?: string } };
  expect(error.code).toBe(code);
  expect(error.message.length).toBeGreaterThan(10);
  if (param !== undefined) expect(error.param).toBe(param);
  return error;
}

describe('admin API refuses bad requests clearly', () => {
  it('needs a name, and limits that are positive integers it knows', async () => {
    await expectError(await edge.admin('POST', '/admin/accounts', {}), 400, 'invalid_parameter', 'name');
    await expectError(await edge.admin('POST', '/admin/accounts', { name: 'x', credits: -5 }), 400, 'invalid_parameter', 'credits');
    await expectError(
      await edge.admin('POST', '/admin/accounts', { name: 'x', limits: { requests_per_minute: 0 } }),
      400,
      'invalid_parameter',
      'limits.requests_per_minute',
    );
    await expectError(await edge.admin('POST', '/admin/accounts', { name: 'x', limits: { per_hour: 5 } }), 400, 'invalid_parameter', 'limits');
  });

  it('changes only the audio-cache setting, as a boolean', async () => {
    const { id } = await edge.createAccount();
    await expectError(await edge.admin('PATCH', `/admin/accounts/${id}`, {}), 400, 'invalid_parameter', 'audio_cache');
    await expectError(await edge.admin('PATCH', `/admin/accounts/${id}`, { audio_cache: 'off' }), 400, 'invalid_parameter', 'audio_cache');
    const unknown = await expectError(await edge.admin('PATCH', `/admin/accounts/${id}`, { audio_cache: false, name: 'Renamed' }), 400, 'invalid_parameter');
    expect(unknown.message).toContain('name');
    await expectError(await edge.admin('POST', '/admin/accounts', { name: 'x', audio_cache: 0 }), 400, 'invalid_parameter', 'audio_cache');
    // Nothing refused changed the setting.
    expect(((await (await edge.admin('GET', `/admin/accounts/${id}`)).json()) as { audio_cache: boolean }).audio_cache).toBe(true);
  });

  it('answers 404 for an account or key that does not exist', async () => {
    await expectError(await edge.admin('GET', '/admin/accounts/acct_nope'), 404, 'account_not_found');
    await expectError(await edge.admin('PATCH', '/admin/accounts/acct_nope', { audio_cache: false }), 404, 'account_not_found');
    await expectError(await edge.admin('POST', '/admin/accounts/acct_nope/keys', {}), 404, 'account_not_found');
    await expectError(await edge.admin('POST', '/admin/accounts/acct_nope/credits', { amount: 5 }), 404, 'account_not_found');
    await expectError(await edge.admin('DELETE', '/admin/keys/key_nope'), 404, 'key_not_found');
  });

  it('refuses unknown scopes and malformed expiry dates', async () => {
    const { id } = await edge.createAccount();
    await expectError(await edge.admin('POST', `/admin/accounts/${id}/keys`, { scopes: ['admin'] }), 400, 'invalid_parameter', 'scopes.0');
    await expectError(await edge.admin('POST', `/admin/accounts/${id}/keys`, { expires_at: 'tomorrow' }), 400, 'invalid_parameter', 'expires_at');
  });

  it('refuses a zero amount, and a removal larger than the balance (409, balance unchanged)', async () => {
    const { id } = await edge.createAccount({ credits: 10 });
    await expectError(await edge.admin('POST', `/admin/accounts/${id}/credits`, { amount: 0 }), 400, 'invalid_parameter', 'amount');
    await expectError(await edge.admin('POST', `/admin/accounts/${id}/credits`, { amount: 1.5 }), 400, 'invalid_parameter', 'amount');
    await expectError(await edge.admin('POST', `/admin/accounts/${id}/credits`, { amount: -11 }), 409, 'balance_too_low', 'amount');
    expect(((await (await edge.admin('GET', `/admin/accounts/${id}`)).json()) as { balance: number }).balance).toBe(10);
  });

  it('refuses every admin route without the admin token', async () => {
    const { id, account_id } = await edge.createKey();
    for (const [method, path] of [
      ['POST', '/admin/accounts'],
      ['GET', `/admin/accounts/${account_id}`],
      ['PATCH', `/admin/accounts/${account_id}`],
      ['POST', `/admin/accounts/${account_id}/keys`],
      ['GET', `/admin/accounts/${account_id}/keys`],
      ['POST', `/admin/accounts/${account_id}/credits`],
      ['DELETE', `/admin/keys/${id}`],
    ] as const) {
      const response = await edge.fetch(path, { method, key: 'not-the-admin-token', body: method === 'GET' || method === 'DELETE' ? null : '{}' });
      await expectError(response, 401, 'invalid_admin_token');
    }
  });
});
