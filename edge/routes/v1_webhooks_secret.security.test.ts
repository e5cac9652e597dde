import { describe, expect, it } from 'vitest';
import { mintToken, refusal } from '../../test/harness/client-tokens.ts';
import { useStack } from '../../test/harness/stack.ts';

// Who may read and rotate an account's webhook secret: its keys with `speech`, and nobody else.
// A real worker, so that client tokens can be minted.
const stack = useStack();

const getSecret = (key: string) => stack.edge.fetch('/v1/webhooks/secret', { key });
const rotate = (key: string) => stack.edge.fetch('/v1/webhooks/secret/rotate', { method: 'POST', key });
async function storedSecret(accountId: string): Promise<string | null> {
  const db = await stack.edge.mf.getD1Database('DB');
  return (await db.prepare('SELECT secret FROM webhook_secrets WHERE account_id = ?1').bind(accountId).first<{ secret: string }>())?.secret ?? null;
}

describe('the webhook secret', () => {
  it('is refused to client tokens, even ones with every scope, and none is made for them', async () => {
    const { key, account_id } = await stack.edge.createKey();
    const { token } = await mintToken(stack.edge, key, { scopes: ['speech', 'realtime', 'voices:read'] });
    await refusal(await getSecret(token), 403, 'token_scope');
    await refusal(await rotate(token), 403, 'token_scope');
    expect(await storedSecret(account_id)).toBeNull();
  });

  it("is each account's own: one account's key reads and rotates only its account's", async () => {
    const a = await stack.edge.createKey();
    const b = await stack.edge.createKey();
    const ofB = ((await (await getSecret(b.key)).json()) as { secret: string }).secret;
    const ofA = ((await (await rotate(a.key)).json()) as { secret: string }).secret;
    expect(ofA).not.toBe(ofB);
    expect(await storedSecret(b.account_id)).toBe(ofB);
    expect(await storedSecret(a.account_id)).toBe(ofA);
  });

  it('is refused to a revoked key at once', async () => {
    const { key, id } = await stack.edge.createKey();
    expect((await getSecret(key)).status).toBe(200); // its record is now in the isolate's cache
    expect((await stack.edge.admin('DELETE', `/admin/keys/${id}`)).status).toBe(200);
    await refusal(await getSecret(key), 401, 'revoked_api_key');
    await refusal(await rotate(key), 401, 'revoked_api_key');
  });

  it('is written to no log line', async () => {
    const { key } = await stack.edge.createKey();
    const read = ((await (await getSecret(key)).json()) as { secret: string }).secret;
    const rotated = ((await (await rotate(key)).json()) as { secret: string }).secret;
    expect(stack.edge.logs.length, 'the edge logged nothing: this check would pass vacuously').toBeGreaterThan(0);
    for (const secret of [read, rotated]) {
      const encoded = secret.slice('whsec_'.length);
      expect(stack.edge.logs.filter((line) => line.includes(encoded))).toEqual([]);
    }
  });
});
