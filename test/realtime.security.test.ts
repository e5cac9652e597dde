import { describe, expect, it } from 'vitest';
import { isType, RealtimeClient, upgradeAttempt } from './harness/realtime-client.ts';
import { useStack } from './harness/stack.ts';

const stack = useStack();
const STREAM = '/v1/audio/speech/stream';

describe('realtime socket: who may open it', () => {
  it('refuses a missing or wrong key before the upgrade', async () => {
    const missing = await upgradeAttempt(stack.edge.url, STREAM);
    expect(missing.status).toBe(401);
    expect(missing.body?.error?.code).toBe('missing_api_key');
    const wrong = await upgradeAttempt(stack.edge.url, STREAM, { authorization: 'Bearer tts_wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body?.error?.code).toBe('invalid_api_key');
    const right = await upgradeAttempt(stack.edge.url, STREAM, { authorization: `Bearer ${stack.key}` });
    expect(right.status).toBe(101);
  });

  it('answers 426 to a plain GET', async () => {
    const plain = await stack.edge.fetch(STREAM, { key: stack.key });
    expect(plain.status).toBe(426);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('upgrade_required');
  });

  it('a ticket opens one socket, once, and carries no key', async () => {
    const issued = await stack.edge.fetch(`${STREAM}/tickets`, { method: 'POST', key: stack.key });
    expect(issued.status).toBe(201);
    const { ticket } = (await issued.json()) as { ticket: string };
    expect(ticket).not.toContain(stack.key);
    const client = await RealtimeClient.open(stack.edge.url, { ticket });
    client.send({ type: 'config', response_format: 'pcm' });
    await client.waitFor(isType('ready'));
    client.send({ type: 'text', text: 'Opened with a ticket.' });
    client.send({ type: 'close' });
    expect((await client.waitFor(isType('done'))).reason).toBe('closed');
    client.close();

    const again = await upgradeAttempt(stack.edge.url, `${STREAM}?ticket=${ticket}`);
    expect(again.status).toBe(401);
    expect(again.body?.error?.code).toBe('invalid_ticket');
  });

  it("a revoked key's ticket opens nothing", async () => {
    const { key, id } = await stack.edge.createKey();
    const { ticket } = (await (await stack.edge.fetch(`${STREAM}/tickets`, { method: 'POST', key })).json()) as { ticket: string };
    expect((await stack.edge.admin('DELETE', `/admin/keys/${id}`)).status).toBe(200);
    const refused = await upgradeAttempt(stack.edge.url, `${STREAM}?ticket=${ticket}`);
    expect(refused.status).toBe(401);
    expect(refused.body?.error?.code).toBe('invalid_ticket');
  });
});

describe("realtime socket: a key's allowed_origins", () => {
  const APP = 'https://app.example.com';
  const OTHER = 'https://evil.example';

  it('refuses an upgrade from another origin, with the key in the header or through a ticket', async () => {
    const { key } = await stack.edge.createKey({ allowed_origins: [APP] });
    const withKey = (origin: string) => upgradeAttempt(stack.edge.url, STREAM, { authorization: `Bearer ${key}`, origin });
    const refused = await withKey(OTHER);
    expect(refused.status).toBe(403);
    expect(refused.body?.error?.code).toBe('origin_not_allowed');
    expect((await withKey(APP)).status).toBe(101);

    // A ticket asked for by a server (no Origin) carries the key's origins to the page's upgrade.
    const ticket = async () =>
      ((await (await stack.edge.fetch(`${STREAM}/tickets`, { method: 'POST', key })).json()) as { ticket: string }).ticket;
    const fromOther = await upgradeAttempt(stack.edge.url, `${STREAM}?ticket=${await ticket()}`, { origin: OTHER });
    expect(fromOther.status).toBe(403);
    expect(fromOther.body?.error?.code).toBe('origin_not_allowed');
    expect((await upgradeAttempt(stack.edge.url, `${STREAM}?ticket=${await ticket()}`, { origin: APP })).status).toBe(101);
    expect((await upgradeAttempt(stack.edge.url, `${STREAM}?ticket=${await ticket()}`)).status).toBe(101);
  });
});
