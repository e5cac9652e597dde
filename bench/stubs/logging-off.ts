/**
 * The request summary middleware with nothing reported, for benches only (bench/edge-variants.ts):
 * it replaces edge/middleware/request-summary.ts at bundle time, so the "logging off" edge writes
 * no request log line and no Analytics Engine point (both report through `onRequestDone`) and
 * does none of the work of summarizing a request. Never part of a deployed edge.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../edge/env.ts';
import type * as Summary from '../../edge/middleware/request-summary.ts';

export type { RequestSummary, SpeechSummary } from '../../edge/middleware/request-summary.ts';

export const onRequestDone: typeof Summary.onRequestDone = () => createMiddleware<AppEnv>(async (_c, next) => next());

// The stub's exports against the real module's: a missing, extra or differently typed one fails here.
({ onRequestDone }) satisfies typeof Summary;
