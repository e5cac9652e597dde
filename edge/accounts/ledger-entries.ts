import type { UsageEntry } from '../storage/usage-ledger.ts';
import type { LeaseRow } from './leases.ts';
import type { SettledStream, StreamContext } from './types.ts';

/**
 * The ledger rows the account's object writes for its speech requests: it holds the lease (who,
 * how many characters, when admitted) and the settlement (charge, status); the edge adds, when it
 * settles, the audio it delivered and the stream's context.
 */

/** The row of a stream the edge settled: charged what the settlement says, described by the edge. */
export function settledStreamEntry(
  accountId: string,
  lease: LeaseRow,
  settled: { charged: number; status: UsageEntry['status'] },
  stream: SettledStream,
): UsageEntry {
  return {
    ...leaseFields(accountId, lease),
    ...(lease.job_id !== null ? { kind: 'job_chunk' as const } : {}),
    model: stream.context.model,
    voice: stream.context.voice,
    audio_ms: Math.max(0, Math.floor(stream.audio_ms)),
    credits_charged: settled.charged,
    status: settled.status,
    time_to_first_audio_ms: stream.context.time_to_first_audio_ms,
    cache: stream.context.cache ?? null,
  };
}

/** The row of a lease that ran out: charged what it last reported, described by its last context. */
export function expiredLeaseEntry(accountId: string, lease: LeaseRow): UsageEntry {
  const context = lease.context ? (JSON.parse(lease.context) as StreamContext) : { model: '', voice: '', time_to_first_audio_ms: null };
  return {
    ...leaseFields(accountId, lease),
    ...(lease.job_id !== null ? { kind: 'job_chunk' as const } : {}),
    model: context.model,
    voice: context.voice,
    audio_ms: lease.delivered_audio_ms,
    credits_charged: lease.charge_so_far,
    status: 'lease_expired',
    time_to_first_audio_ms: context.time_to_first_audio_ms,
    cache: context.cache ?? null,
  };
}

function leaseFields(accountId: string, lease: LeaseRow) {
  return {
    account_id: accountId,
    request_id: lease.request_id,
    key_id: lease.key_id,
    token_id: lease.token_id,
    characters: lease.reserved,
    created_at: new Date(lease.admitted_ms).toISOString(),
  };
}
