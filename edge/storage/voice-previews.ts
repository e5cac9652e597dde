import type { WorkerVoiceResult } from '../../shared/protocol/worker-api.ts';
import type { NewVoice } from '../voices/save-voice.ts';

/**
 * Designed voices not saved yet (ElevenLabs' voice-design previews), in KV under the account:
 * the voice as it would be saved and the worker's result (its profile and preview), so that
 * saving one keeps exactly what was heard, without designing it again. Unsaved ones expire.
 */
export interface VoicePreview {
  voice: NewVoice;
  result: WorkerVoiceResult;
}

/** How long a preview can be saved after it was made. */
export const PREVIEW_TTL_SECONDS = 24 * 60 * 60;

const keyOf = (accountId: string, id: string) => `preview:${accountId}:${id}`;

export class KvVoicePreviews {
  private readonly kv: KVNamespace;
  constructor(kv: KVNamespace) {
    this.kv = kv;
  }

  async put(preview: VoicePreview): Promise<void> {
    await this.kv.put(keyOf(preview.voice.account_id, preview.voice.id), JSON.stringify(preview), { expirationTtl: PREVIEW_TTL_SECONDS });
  }

  /** The account's preview with this id; null for another account's, an expired or an unknown one. */
  get(accountId: string, id: string): Promise<VoicePreview | null> {
    return this.kv.get<VoicePreview>(keyOf(accountId, id), { type: 'json' });
  }
}
