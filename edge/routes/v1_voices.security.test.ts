import { describe, expect, it } from 'vitest';
import { speak, spokenClip, uploadVoice } from '../../test/clips.ts';
import { useStack } from '../../test/harness/stack.ts';

const stack = useStack();

const clipOf = (text: string) => spokenClip(stack.edge, stack.key, text);
const LINE = (n: number) => `This is reference clip number ${n}, read slowly and clearly so that it lasts a few seconds.`;

describe('voices belong to their account', () => {
  it('another account cannot read, list, use or delete a voice: 404, as for one that never existed', async () => {
    const alice = await stack.edge.createKey();
    const bob = await stack.edge.createKey();
    const clip = await clipOf(LINE(1));
    const voice = (await (await uploadVoice(stack.edge, alice.key, clip)).json()) as { id: string };

    const missing = 'voice_ffffffffffffffffffffffff';
    for (const id of [voice.id, missing]) {
      const read = await stack.edge.fetch(`/v1/voices/${id}`, { key: bob.key });
      expect(read.status).toBe(404);
      const used = await speak(stack.edge, bob.key, { input: 'Hello.', voice: id });
      expect(used.status).toBe(404);
      const deleted = await stack.edge.fetch(`/v1/voices/${id}`, { method: 'DELETE', key: bob.key });
      expect(deleted.status).toBe(404);
      // The same answer for both: nothing tells Bob the first id exists.
      expect(((await deleted.json()) as { error: { code: string } }).error.code).toBe('voice_not_found');
    }
    const bobs = (await (await stack.edge.fetch('/v1/voices', { key: bob.key })).json()) as { data: Array<{ id: string }> };
    expect(bobs.data.map((v) => v.id)).not.toContain(voice.id);

    // Bob uploading the same clip gets a voice of his own, with another id; Alice's still works.
    const bobsVoice = (await (await uploadVoice(stack.edge, bob.key, clip)).json()) as { id: string };
    expect(bobsVoice.id).not.toBe(voice.id);
    expect((await speak(stack.edge, alice.key, { input: 'Mine.', voice: voice.id })).status).toBe(200);
  });

  it('creating and deleting voices needs the voices scope', async () => {
    const owner = await stack.edge.createKey();
    const speechOnly = await stack.edge.createKey({ account: owner.account_id, scopes: ['speech'] });
    const clip = await clipOf(LINE(2));
    expect((await uploadVoice(stack.edge, speechOnly.key, clip)).status).toBe(403);
    const voice = (await (await uploadVoice(stack.edge, owner.key, clip)).json()) as { id: string };
    expect((await stack.edge.fetch(`/v1/voices/${voice.id}`, { method: 'DELETE', key: speechOnly.key })).status).toBe(403);
    // Speaking with it needs only speech.
    expect((await speak(stack.edge, speechOnly.key, { input: 'Allowed.', voice: voice.id })).status).toBe(200);
  });

  it('the voice quota (max_voices) holds exactly, even for uploads that race', async () => {
    const { key } = await stack.edge.createKey({ limits: { max_voices: 2 } });
    const clips = await Promise.all([3, 4, 5, 6].map((n) => clipOf(LINE(n))));
    const statuses = await Promise.all(clips.map(async (clip) => (await uploadVoice(stack.edge, key, clip)).status));
    expect(statuses.filter((s) => s === 201)).toHaveLength(2);
    const refused = await uploadVoice(stack.edge, key, await clipOf(LINE(7)));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('voice_quota_exceeded');
  });
});
