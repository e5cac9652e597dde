import type { AccountRecord } from './account-record.ts';
import type { RegisterVoiceRequest, VoiceRegistration } from './types.ts';
import type { VoiceRegistry } from './voice-registry.ts';

/** The account's voice quota and the credits a new voice costs, taken together or not at all. */
export class VoiceQuota {
  private readonly storage: DurableObjectStorage;
  private readonly account: AccountRecord;
  private readonly voices: VoiceRegistry;

  constructor(storage: DurableObjectStorage, parts: { account: AccountRecord; voices: VoiceRegistry }) {
    this.storage = storage;
    this.account = parts.account;
    this.voices = parts.voices;
  }

  /**
   * Registers a new voice if the quota and the balance allow, taking its creation charge in the
   * same step. A voice the account already has is answered as it is (content-addressed ids make
   * a second upload of the same clip the same voice), and charged nothing.
   */
  register(request: RegisterVoiceRequest, now: number): VoiceRegistration {
    const account = this.account.read();
    if (!account) return { ok: false, reason: 'account_not_found', limit: 0, count: 0, balance: 0 };
    const existing = this.voices.get(request.voice_id);
    if (existing) return { ok: true, created: false, version: existing.version, balance: account.balance };
    const count = this.voices.count();
    const charge = Math.max(0, Math.ceil(request.charge));
    const refused = (reason: 'voice_quota_exceeded' | 'insufficient_credits'): VoiceRegistration => ({
      ok: false,
      reason,
      limit: account.max_voices,
      count,
      balance: account.balance,
    });
    if (count >= account.max_voices) return refused('voice_quota_exceeded');
    if (charge > account.balance) return refused('insufficient_credits');
    const entry = this.storage.transactionSync(() => {
      this.account.addToBalance(-charge);
      return this.voices.add(request.voice_id, now);
    });
    return { ok: true, created: true, version: entry.version, balance: account.balance - charge };
  }

  /** Whether the account has room for one more voice: checked before a worker does the work. */
  room(): { ok: boolean; limit: number; count: number } {
    const account = this.account.read();
    const count = this.voices.count();
    return { ok: !!account && count < account.max_voices, limit: account?.max_voices ?? 0, count };
  }
}
