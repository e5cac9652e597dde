import { describe, expect, it } from 'vitest';
import { mintToken, refusal } from '../../test/harness/client-tokens.ts';
import { useStack } from '../../test/harness/stack.ts';

// Who may read and change an account's pronunciation dictionaries: its API keys (reading with
// `speech` or `voices`, changing with `voices`), never client tokens nor another account.
// A real worker, so that client tokens can be minted.
const stack = useStack();

const SQL = { type: 'alias', string_to_replace: 'SQL', alias: 'sequel' };

/** Every dictionary route, on dictionary `id`: method, path, JSON body, and whether only `voices` may call it. */
const routes = (id: string) =>
  [
    ['POST', '/v1/pronunciation-dictionaries', { name: 'mine', rules: [SQL] }, true],
    ['GET', '/v1/pronunciation-dictionaries', undefined, false],
    ['GET', `/v1/pronunciation-dictionaries/${id}`, undefined, false],
    ['GET', `/v1/pronunciation-dictionaries/${id}?version=1`, undefined, false],
    ['GET', `/v1/pronunciation-dictionaries/${id}/download`, undefined, false],
    ['POST', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [SQL] }, true],
    ['POST', `/v1/pronunciation-dictionaries/${id}/rules/remove`, { rule_strings: ['SQL'] }, true],
    ['PUT', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [SQL] }, true],
    ['DELETE', `/v1/pronunciation-dictionaries/${id}`, undefined, true],
  ] as const;

const send = (credential: string, method: string, path: string, body?: unknown) =>
  stack.edge.fetch(path, { method, key: credential, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });

async function dictionaryOf(key: string): Promise<string> {
  const response = await send(key, 'POST', '/v1/pronunciation-dictionaries', { name: 'owned', rules: [SQL] });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function latestVersion(key: string, id: string): Promise<number> {
  const response = await send(key, 'GET', `/v1/pronunciation-dictionaries/${id}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { latest_version: number }).latest_version;
}

describe('pronunciation dictionaries', () => {
  it('are refused to client tokens on every route, even tokens with every scope', async () => {
    const { key } = await stack.edge.createKey();
    const id = await dictionaryOf(key);
    const { token } = await mintToken(stack.edge, key, { scopes: ['speech', 'realtime', 'voices:read'] });
    for (const [method, path, body] of routes(id)) {
      const error = await refusal(await send(token, method, path, body), 403, 'token_scope');
      expect(error.message, `${method} ${path}`).toContain('takes an API key');
    }
    expect(await latestVersion(key, id)).toBe(1);
  });

  it("are each account's own: another account's key gets 404 on every route, as for an id that never existed", async () => {
    const alice = await stack.edge.createKey();
    const bob = await stack.edge.createKey();
    const id = await dictionaryOf(alice.key);
    for (const [method, path, body] of routes(id)) {
      if (path === '/v1/pronunciation-dictionaries') continue;
      const error = await refusal(await send(bob.key, method, path, body), 404, 'pronunciation_dictionary_not_found');
      expect(error.message).toContain(id);
    }
    const listed = (await (await send(bob.key, 'GET', '/v1/pronunciation-dictionaries')).json()) as { data: Array<{ id: string }> };
    expect(listed.data.map((dictionary) => dictionary.id)).not.toContain(id);
    // Bob's key on another of Bob's dictionaries does not reach Alice's by its cursor either.
    await refusal(await send(bob.key, 'GET', `/v1/pronunciation-dictionaries?after=${id}`), 400, 'invalid_cursor');
    // Untouched: still version 1, still there.
    expect(await latestVersion(alice.key, id)).toBe(1);
  });

  it('are read with a key that has `speech` or `voices`, and changed only with `voices`', async () => {
    const owner = await stack.edge.createKey();
    const id = await dictionaryOf(owner.key);
    const speechOnly = await stack.edge.createKey({ account: owner.account_id, scopes: ['speech'] });
    const usageOnly = await stack.edge.createKey({ account: owner.account_id, scopes: ['usage', 'tokens'] });
    for (const [method, path, body, changes] of routes(id)) {
      if (changes) {
        const error = await refusal(await send(speechOnly.key, method, path, body), 403, 'missing_scope');
        expect(error.message).toBe('The API key lacks the "voices" scope.');
      } else {
        expect((await send(speechOnly.key, method, path, body)).status, `${method} ${path}`).toBe(200);
      }
      await refusal(await send(usageOnly.key, method, path, body), 403, 'missing_scope');
    }
    expect(await latestVersion(owner.key, id)).toBe(1);
  });

  it('are refused to a revoked key at once', async () => {
    const { key, id: keyId } = await stack.edge.createKey();
    const id = await dictionaryOf(key); // the key's record is now in the isolate's cache
    expect((await stack.edge.admin('DELETE', `/admin/keys/${keyId}`)).status).toBe(200);
    for (const [method, path, body] of routes(id)) await refusal(await send(key, method, path, body), 401, 'revoked_api_key');
  });
});
