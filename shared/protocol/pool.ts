import { z } from 'zod';
import { ModelInfoSchema } from '../schemas/catalog.ts';

/**
 * Pool membership: each gpu-worker tells the edge it exists, what it serves and how loaded it
 * is, by a heartbeat signed with the shared secret (shared/protocol/signing.ts), so a process
 * without the secret cannot join. The edge keeps the members in a Durable Object; a member whose
 * heartbeats stop leaves the pool after MISSED_HEARTBEATS intervals.
 */
export const POOL_PATHS = {
  /** On the edge: `POST`, a WorkerHeartbeat. */
  heartbeat: '/internal/pool/heartbeat',
} as const;

/** Heartbeats a member may miss before the pool drops it. */
export const MISSED_HEARTBEATS = 3;
export const DEFAULT_HEARTBEAT_MS = 2_000;

export const WorkerLoadSchema = z.object({
  /** Streams being served. */
  active: z.number().int().nonnegative(),
  /** Streams waiting for a slot. */
  queued: z.number().int().nonnegative(),
  /** Recent median time to first audio, ms; null before any. */
  ttfa_ms: z.number().nonnegative().nullable(),
  /**
   * Slots a request would get at once, by its priority (shared/protocol/worker-api.ts): a job's
   * background chunks never take the slots a worker keeps for live speech, so `background` can
   * be 0 while `live` is not. Absent from workers that predate priorities.
   */
  free: z.object({ live: z.number().int().nonnegative(), background: z.number().int().nonnegative() }).optional(),
});
export type WorkerLoad = z.infer<typeof WorkerLoadSchema>;

export const WorkerHeartbeatSchema = z.object({
  worker_id: z.string().min(1).max(128),
  /** Where the edge reaches the worker. */
  url: z.url(),
  version: z.string().max(64),
  models: z.array(ModelInfoSchema),
  /** Streams served at once (MAX_STREAMS). */
  capacity: z.number().int().positive(),
  load: WorkerLoadSchema,
  /** Finishing its open streams before it stops: send it nothing new. */
  draining: z.boolean(),
  /** Stopping now: remove it at once rather than after missed heartbeats. */
  leaving: z.boolean().default(false),
  /** When the next heartbeat is due, ms. */
  interval_ms: z.number().int().positive(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeatSchema>;
export type WorkerHeartbeatInput = z.input<typeof WorkerHeartbeatSchema>;
