import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

// Keys' allowed_origins through the admin API alone (no worker needed).
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as any });

describe('allowed_origins of a key', () => {
  it('is stored with the key and shown when it is issued, listed and revoked', async () => {
    const { id: account } = await edge.createAccount();
    const origins = ['https://app.example.com', 'http://localhost:5173'];
    const created = await json(await edge.admin('POST', `/admin/accounts/${account}/keys`, { allowed_origins: [...origins, origins[0]] }));
    expect(created.status).toBe(201);
    expect(created.body.allowed_origins).toEqual(origins); // a repeated origin once

    const listed = await json(await edge.admin('GET', `/admin/accounts/${account}/keys`));
    expect(listed.body.data.map((key: { allowed_origins: unknown }) => key.allowed_origins)).toEqual([origins]);
    const revoked = await json(await edge.admin('DELETE', `/admin/keys/${created.body.id}`));
    expect(revoked.body.allowed_origins).toEqual(origins);
  });

  it('is null (any origin) when not given, and for keys issued before the column existed', async () => {
    const { id: account } = await edge.createAccount();
    const created = await json(await edge.admin('POST', `/admin/accounts/${account}/keys`, {}));
    expect(created.body.allowed_origins).toBeNull();
    const db = await edge.mf.getD1Database('DB');
    const row = await db.prepare('SELECT allowed_origins FROM api_keys WHERE id = ?1').bind(created.body.id).first<{ allowed_origins: string | null }>();
    expect(row).toEqual({ allowed_origins: null }); // what an older row holds after the migration
    expect((await json(await edge.admin('GET', `/admin/accounts/${account}/keys`))).body.data[0].allowed_origins).toBeNull();
  });
});
