import { describe, expect, it } from 'vitest';
import { isType, RealtimeClient } from './harness/realtime-client.ts';
import { useStack } from './harness/stack.ts';

const stack = useStack();
const CREDITS = 100_000;

/** The account's credits once nothing is reserved any more (chunks settle just after their audio ends). */
async function settledBalance(key: string): Promise<number> {
  let usage = { balance: 0, reserved: -1 };
  await expect
    .poll(async () => {
      usage = (await (await stack.edge.fetch('/v1/usage', { key })).json()) as typeof usage;
      return usage.reserved;
    }, { timeout: 15_000 })
    .toBe(0);
  return usage.balance;
}

async function socket(key: string): Promise<RealtimeClient> {
  const client = await RealtimeClient.open(stack.edge.url, { key });
  client.send({ type: 'config', response_format: 'pcm' });
  await client.waitFor(isType('ready'));
  return client;
}

describe('realtime socket: billing equals what was delivered', () => {
  it('a context spoken whole is charged its characters, once', async () => {
    const { key } = await stack.edge.createKey({ credits: CREDITS, scopes: ['speech', 'usage'] });
    const client = await socket(key);
    const text = 'Every character of this is charged. Once, and no more.';
    client.send({ type: 'text', text });
    client.send({ type: 'close' });
    await client.waitFor(isType('done'));
    client.close();
    expect(await settledBalance(key)).toBe(CREDITS - [...text].length);
  });

  it('a cancelled context is charged the audio it delivered, not the text it was sent', async () => {
    const { key } = await stack.edge.createKey({ credits: CREDITS, scopes: ['speech', 'usage'] });
    const client = await socket(key);
    const sentence = 'This single long sentence is the whole first chunk, and the user interrupts it well before its end, so only the part heard is paid for.';
    client.send({ type: 'text', text: `${sentence} ${sentence}` });
    client.send({ type: 'flush' });
    await client.waitFor(isType('audio'));
    client.send({ type: 'cancel' });
    await client.waitFor(isType('done'));
    client.close();
    const charged = CREDITS - (await settledBalance(key));
    // docs/billing.md: an early end costs the delivered audio at 55 ms per English character.
    const heardMs = (client.audioOf('default').byteLength / 2 / 24_000) * 1000;
    expect(charged).toBeLessThan([...sentence].length);
    expect(Math.abs(charged - Math.ceil(heardMs / 55))).toBeLessThanOrEqual(2);
  });
});
