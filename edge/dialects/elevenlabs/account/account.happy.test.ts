import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { describe, expect, it } from 'vitest';
import { type TokenView, speakWith, tokenView } from '../../../../test/harness/client-tokens.ts';
import { isType, RealtimeClient, upgradeAttempt } from '../../../../test/harness/realtime-client.ts';
import { useStack } from '../../../../test/harness/stack.ts';

// ElevenLabs' account surface through its official SDK: the subscription and user from our
// credits and ledger, and single-use tokens as our client tokens.
const stack = useStack();

const client = (apiKey: string) => new ElevenLabsClient({ apiKey, baseUrl: `${stack.edge.url}/elevenlabs`, maxRetries: 0 });

/** What the ledger charged the account in all (every row is of this month in a test). */
async function charged(accountId: string): Promise<number> {
  const db = await stack.edge.mf.getD1Database('DB');
  const row = await db.prepare('SELECT coalesce(sum(credits_charged), 0) AS total FROM usage_ledger WHERE account_id = ?1').bind(accountId).first<{ total: number }>();
  return row!.total;
}

describe('user.subscription.get', () => {
  it("counts what our OpenAI-shaped route charged this month; the limit is that plus the credits left", async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 5_000 });
    const sdk = client(key);
    const before = await sdk.user.subscription.get();
    expect(before).toMatchObject({ tier: 'pay_as_you_go', characterCount: 0, characterLimit: 5_000, status: 'active', voiceSlotsUsed: 0, canUseInstantVoiceCloning: true, hasOpenInvoices: false });
    const now = new Date();
    expect(before.nextCharacterCountResetUnix).toBe(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) / 1000);
    expect(before.voiceLimit).toBeGreaterThan(0);

    const input = 'Counted as ElevenLabs counts characters.';
    const speech = await speakWith(stack.edge, key, { input });
    expect(speech.status).toBe(200);
    await speech.arrayBuffer();
    // The ledger row is written when the stream settles.
    await expect.poll(() => charged(account_id), { timeout: 15_000 }).toBe([...input].length);

    const after = await sdk.user.subscription.get();
    expect(after.characterCount).toBe(before.characterCount + (await charged(account_id)));
    expect(after.characterLimit).toBe(before.characterLimit);
  });
});

describe('user.get', () => {
  it('is the account, with its subscription and which key is in use', async () => {
    const { key, account_id } = await stack.edge.createKey({ name: 'Acme' });
    const user = await client(key).user.get();
    expect(user).toMatchObject({ userId: account_id, workspaceId: account_id, firstName: 'Acme', isApiKeyHashed: true, seatType: 'workspace_admin' });
    expect(key.startsWith(user.xiApiKeyPreview!)).toBe(true);
    expect(user.subscription).toMatchObject({ tier: 'pay_as_you_go', characterCount: 0 });
    expect(user.createdAt).toBeGreaterThan(Date.now() / 1000 - 600);
  });
});

describe('tokens.singleUse.create', () => {
  it('tts_websocket mints a client token that opens one realtime socket, for 15 minutes, charged to the account', async () => {
    const { key, account_id } = await stack.edge.createKey();
    const { token } = await client(key).tokens.singleUse.create('tts_websocket');
    expect(token).toMatch(/^tkn_/);

    // It is a realtime token: HTTP speech is not its scope.
    const http = await speakWith(stack.edge, token);
    expect(http.status).toBe(403);
    expect(((await http.json()) as { error: { code: string } }).error.code).toBe('token_scope');

    const socket = await RealtimeClient.open(stack.edge.url, { token });
    socket.send({ type: 'config', response_format: 'pcm' });
    await socket.waitFor(isType('ready'));
    const text = 'Spoken once with a single-use token.';
    socket.send({ type: 'text', text });
    socket.send({ type: 'close' });
    expect((await socket.waitFor(isType('done'))).reason).toBe('closed');
    socket.close();
    expect(socket.audioOf('default').byteLength).toBeGreaterThan(0);

    // Once: a second socket is refused.
    const second = await upgradeAttempt(stack.edge.url, `/v1/audio/speech/stream?token=${token}`);
    expect(second.status).toBe(402);
    expect(second.body?.error?.code).toBe('token_exhausted');

    // Our client token: its ledger rows name it, and it is single-use, realtime only, for 15 minutes.
    const db = await stack.edge.mf.getD1Database('DB');
    let tokenId: string | null = null;
    await expect
      .poll(async () => (tokenId = (await db.prepare('SELECT token_id FROM usage_ledger WHERE account_id = ?1 LIMIT 1').bind(account_id).first<{ token_id: string }>())?.token_id ?? null), { timeout: 15_000 })
      .toMatch(/^tok_/);
    const view: TokenView = await tokenView(stack.edge, key, tokenId!);
    expect(view).toMatchObject({ status: 'exhausted', requests_used: 1, scopes: ['realtime'], single_use: true });
    expect(Date.parse(view.expires_at as string) - Date.parse(view.created_at as string)).toBe(15 * 60 * 1000);
  });
});
