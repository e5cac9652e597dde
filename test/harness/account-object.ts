import type { AccountLimits, Admission, JobHold, Settlement } from '../../edge/accounts/types.ts';
import type { EdgeHarness } from './edge.ts';

/** Limits loose enough that a test of one rule meets no other, unless it says otherwise. */
const LIMITS: AccountLimits = { requests_per_minute: 1_000, characters_per_minute: 1_000_000, concurrent_streams: 100, max_voices: 100 };

/** RPC results cross from workerd as proxies; JSON makes them plain values to compare. */
export const plain = async <T>(value: Promise<T> | T): Promise<T> => JSON.parse(JSON.stringify(await value)) as T;

/** The account object's methods the tests call over RPC. */
export interface AccountObjectStub {
  initialize(config: unknown): Promise<unknown>;
  registerKey(id: string, expiresMs: number | null): Promise<void>;
  revokeKey(id: string): Promise<boolean>;
  admit(request: unknown): Promise<Admission>;
  settle(request: unknown): Promise<Settlement | null>;
  addCredits(amount: number): Promise<unknown>;
  progress(report: unknown): Promise<boolean>;
  holdJob(request: unknown): Promise<JobHold>;
  jobHold(jobId: string): Promise<number | null>;
  releaseJob(jobId: string): Promise<number>;
  snapshot(): Promise<{ balance: number; active_streams: number; reserved: number }>;
}

/**
 * A new account's Durable Object in the edge's workerd, reached directly over RPC, with `credits`
 * and one active key, `key_a`: for the rules no HTTP route reaches on its own.
 */
export async function testAccount(edge: EdgeHarness, credits: number, limits: Partial<AccountLimits> = {}) {
  const ns = await edge.mf.getDurableObjectNamespace('ACCOUNTS');
  const id = `acct_test_${crypto.randomUUID()}`;
  const stub = ns.get(ns.idFromName(id)) as unknown as AccountObjectStub;
  await stub.initialize({ account_id: id, credits, limits: { ...LIMITS, ...limits } });
  await stub.registerKey('key_a', null);
  const admit = (request_id: string, characters: number, extra: Record<string, unknown> = {}) => plain(stub.admit({ request_id, key_id: 'key_a', characters, ...extra }));
  const settle = (request_id: string, charge: number, status = 'completed') => plain(stub.settle({ request_id, charge, status }));
  return { id, stub, admit, settle, snapshot: () => plain(stub.snapshot()) };
}
