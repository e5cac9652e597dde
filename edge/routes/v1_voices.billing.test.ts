import { describe, expect, it } from 'vitest';
import { spokenClip, uploadVoice } from '../../test/clips.ts';
import { useStack } from '../../test/harness/stack.ts';

// Two credits per second of reference audio.
const stack = useStack({ edgeVars: { VOICE_CREDITS_PER_SECOND: '2' } });

interface Voice {
  id: string;
  reference: { duration_seconds: number };
}

const balanceOf = async (accountId: string) => ((await (await stack.edge.admin('GET', `/admin/accounts/${accountId}`)).json()) as { balance: number }).balance;

describe('creating a voice is metered', () => {
  it('charges the configured price per second of reference, writes a ledger row of its own kind, and /v1/usage counts it', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 1_000 });
    const clip = await spokenClip(stack.edge, stack.key, 'A reference clip that lasts a few seconds, for a voice that is paid for.');
    const before = await balanceOf(account_id);
    const voice = (await (await uploadVoice(stack.edge, key, clip)).json()) as Voice;
    const price = Math.ceil(voice.reference.duration_seconds * 2);
    expect(await balanceOf(account_id)).toBe(before - price);

    // The same clip again is the same voice: no second charge.
    expect((await uploadVoice(stack.edge, key, clip)).status).toBe(200);
    expect(await balanceOf(account_id)).toBe(before - price);

    const usage = (await (await stack.edge.fetch('/v1/usage?group_by=kind', { key })).json()) as {
      totals: { credits_charged: number };
      data: Array<{ kind: string; requests: number; credits_charged: number; audio_ms: number }>;
    };
    expect(usage.data).toEqual([{ kind: 'voice_clone', requests: 1, characters: 0, credits_charged: price, audio_ms: Math.round(voice.reference.duration_seconds * 1000) }]);
    expect(usage.totals.credits_charged).toBe(price);
  });

  it('402 when the balance does not cover the voice, and nothing is kept', async () => {
    const { key } = await stack.edge.createKey({ credits: 1 });
    const clip = await spokenClip(stack.edge, stack.key, 'Another clip of a few seconds, which this poor account cannot pay for.');
    const response = await uploadVoice(stack.edge, key, clip);
    expect(response.status).toBe(402);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('insufficient_credits');
    const list = (await (await stack.edge.fetch('/v1/voices?type=clone', { key })).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
  });
});
