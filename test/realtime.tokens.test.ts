import { describe, expect, it } from 'vitest';
import { accountCredits, forgedToken, type LedgerRow, mintToken, tokenView } from './harness/client-tokens.ts';
import { isType, RealtimeClient, upgradeAttempt } from './harness/realtime-client.ts';
import { useStack } from './harness/stack.ts';

// The realtime socket opened with a client token (docs/client-tokens.md, docs/realtime.md): in
// the URL as a browser sends it, or in the Authorization header; each chunk admitted with it.
const stack = useStack();
const STREAM = '/v1/audio/speech/stream';

async function configured(auth: { key?: string; token?: string }, config: Record<string, unknown> = {}): Promise<RealtimeClient> {
  const client = await RealtimeClient.open(stack.edge.url, auth);
  client.send({ type: 'config', response_format: 'pcm', ...config });
  await client.waitFor(isType('ready'));
  return client;
}

/** The ledger rows of a token once they add up to `credits`: a chunk's row is written after it settles. */
async function ledgerAddingUpTo(tokenId: string, credits: number): Promise<LedgerRow[]> {
  const db = await stack.edge.mf.getD1Database('DB');
  let rows: LedgerRow[] = [];
  await expect
    .poll(async () => {
      ({ results: rows } = await db
        .prepare('SELECT request_id, key_id, token_id, credits_charged, characters, status FROM usage_ledger WHERE token_id = ?1')
        .bind(tokenId)
        .all<LedgerRow>());
      return rows.reduce((sum, row) => sum + row.credits_charged, 0);
    }, { timeout: 15_000 })
    .toBe(credits);
  return rows;
}

const words = (text: string) => text.match(/[\p{L}\p{N}']+/gu) ?? [];
const spokenWords = (client: RealtimeClient, contextId = 'default') =>
  client.received.filter(isType('audio', contextId)).flatMap((message) => message.timestamps.map((word) => word.word));

describe('realtime socket with a client token', () => {
  it.each([
    ['in the URL (?token=)', (token: string) => ({ token })],
    ['in the Authorization header', (token: string) => ({ key: token })],
  ])('opened with the token %s, speaks; its chunks are charged to the account with the token on their ledger rows', async (_how, auth) => {
    const { key, id: keyId } = await stack.edge.createKey();
    const token = await mintToken(stack.edge, key);
    const client = await configured(auth(token.token));
    const text = 'Spoken with a client token. In two sentences.';
    client.send({ type: 'text', text });
    client.send({ type: 'close' });
    expect((await client.waitFor(isType('done'))).reason).toBe('closed');
    client.close();
    expect(spokenWords(client)).toEqual(words(text));

    const characters = [...text].length;
    const rows = await ledgerAddingUpTo(token.id, characters);
    const sessionId = client.received.find(isType('ready'))!.session_id;
    expect(rows.length).toBeGreaterThan(1); // one per chunk
    for (const row of rows) {
      expect(row).toMatchObject({ key_id: keyId, token_id: token.id, status: 'completed' });
      expect(row.request_id.startsWith(`${sessionId}.default.`)).toBe(true);
    }
    // The opening took the token's one request; chunks take characters only.
    expect(await tokenView(stack.edge, key, token.id)).toMatchObject({ requests_used: 1, characters_used: characters, characters_reserved: 0 });
  });

  it('a token without the realtime scope, or one no one minted, is refused at the upgrade', async () => {
    const { key } = await stack.edge.createKey();
    const speechOnly = await mintToken(stack.edge, key, { scopes: ['speech'] });
    const inUrl = [`${STREAM}?token=${speechOnly.token}`, {}] as const;
    const inHeader = [STREAM, { authorization: `Bearer ${speechOnly.token}` }] as const;
    for (const [path, headers] of [inUrl, inHeader]) {
      const refused = await upgradeAttempt(stack.edge.url, path, headers);
      expect(refused.status).toBe(403);
      expect(refused.body?.error?.code).toBe('token_scope');
    }
    expect((await tokenView(stack.edge, key, speechOnly.id)).requests_used).toBe(0);

    const { account_id } = await stack.edge.createKey();
    for (const forged of ['tkn_garbage', forgedToken(account_id), forgedToken(`acct_${'f'.repeat(32)}`)]) {
      const refused = await upgradeAttempt(stack.edge.url, `${STREAM}?token=${forged}`);
      expect(refused.status, forged).toBe(401);
      expect(refused.body?.error?.code).toBe('invalid_token');
    }
  });

  it('a token bound to a voice refuses a config with another voice (token_scope), and the socket may be configured again', async () => {
    const { key } = await stack.edge.createKey();
    const token = await mintToken(stack.edge, key, { voices: ['en-male'] });
    const client = await RealtimeClient.open(stack.edge.url, { token: token.token });
    client.send({ type: 'config', response_format: 'pcm', voice: 'en-female' });
    const error = await client.waitFor(isType('error'));
    expect(error.code).toBe('token_scope');
    expect(error.message).toContain('en-female');
    // A refused config leaves the socket open and unconfigured (edge/realtime/session.ts).
    expect(client.closed).toBeNull();
    client.send({ type: 'text', text: 'Too soon.' });
    expect((await client.waitFor((m) => m.type === 'error' && m.code === 'not_configured')).type).toBe('error');

    client.send({ type: 'config', response_format: 'pcm', voice: 'en-male' });
    expect((await client.waitFor(isType('ready'))).voice).toBe('en-male');
    client.send({ type: 'text', text: 'My own voice.' });
    client.send({ type: 'close' });
    expect((await client.waitFor(isType('done'))).reason).toBe('closed');
    client.close();
  });

  it('a max_characters cap: the chunks within it are spoken, then token_exhausted; the token never goes past it, and what was spoken is billed', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 10_000 });
    const token = await mintToken(stack.edge, key, { max_characters: 40 });
    const client = await configured({ token: token.token });
    // Flushed one by one: chunks of 15 and 18 characters fit the 40; the third (39) does not.
    const pieces = ['Short one here.', 'Another short one.', 'And this third piece goes over the cap.'];
    for (const piece of pieces) {
      client.send({ type: 'text', text: piece });
      client.send({ type: 'flush' });
    }
    client.send({ type: 'close' });
    const error = await client.waitFor(isType('error'));
    expect(error).toMatchObject({ code: 'token_exhausted', context_id: 'default' });
    expect((await client.waitFor(isType('done'))).reason).toBe('failed');
    client.close();

    // The first two pieces were spoken whole before the refusal; nothing of the third.
    const errorAt = client.received.indexOf(error);
    const audioAt = client.received.flatMap((message, i) => (message.type === 'audio' ? [i] : []));
    expect(Math.max(...audioAt)).toBeLessThan(errorAt);
    expect(spokenWords(client)).toEqual(words(`${pieces[0]} ${pieces[1]}`));

    const within = [...pieces[0]!].length + [...pieces[1]!].length;
    expect(within).toBe(33);
    const rows = await ledgerAddingUpTo(token.id, within);
    expect(rows).toHaveLength(2);
    await expect.poll(async () => (await tokenView(stack.edge, key, token.id)).characters_reserved).toBe(0);
    const view = await tokenView(stack.edge, key, token.id);
    expect(view).toMatchObject({ characters_used: within, characters_remaining: 40 - within });
    expect((await accountCredits(stack.edge, account_id)).balance).toBe(10_000 - within);
  });

  it('a single-use token opens one socket; a second upgrade gets 402 token_exhausted, while the first socket speaks on', async () => {
    const { key } = await stack.edge.createKey();
    const token = await mintToken(stack.edge, key, { single_use: true });
    const client = await configured({ token: token.token });

    const second = await upgradeAttempt(stack.edge.url, `${STREAM}?token=${token.token}`);
    expect(second.status).toBe(402);
    expect(second.body?.error?.code).toBe('token_exhausted');

    // Its chunks are not requests: the open socket goes on speaking.
    for (const contextId of ['a', 'b']) {
      client.send({ type: 'text', text: `Context ${contextId} speaks.`, context_id: contextId });
      client.send({ type: 'close', context_id: contextId });
      expect((await client.waitFor(isType('done', contextId))).reason).toBe('closed');
    }
    client.close();
    expect(await tokenView(stack.edge, key, token.id)).toMatchObject({ status: 'exhausted', requests_used: 1 });
  });

  it('revoking the token while its socket is open: the next chunk is refused with invalid_token, and the socket stays', async () => {
    const { key } = await stack.edge.createKey();
    const token = await mintToken(stack.edge, key);
    const client = await configured({ token: token.token });
    client.send({ type: 'text', text: 'Before the revocation.', context_id: 'before' });
    client.send({ type: 'close', context_id: 'before' });
    expect((await client.waitFor(isType('done', 'before'))).reason).toBe('closed');

    expect((await stack.edge.fetch(`/v1/tokens/${token.id}`, { method: 'DELETE', key })).status).toBe(200);
    client.send({ type: 'text', text: 'After the revocation.', context_id: 'after' });
    client.send({ type: 'close', context_id: 'after' });
    const error = await client.waitFor(isType('error'));
    expect(error).toMatchObject({ code: 'invalid_token', context_id: 'after' });
    expect((await client.waitFor(isType('done', 'after'))).reason).toBe('failed');
    expect(client.received.filter(isType('audio', 'after'))).toHaveLength(0);
    expect(client.closed).toBeNull();
    client.close();

    const refused = await upgradeAttempt(stack.edge.url, `${STREAM}?token=${token.token}`);
    expect(refused.status).toBe(401);
    expect(refused.body?.error?.code).toBe('invalid_token');
  });
});
