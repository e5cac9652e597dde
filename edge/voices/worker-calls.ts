import {
  type VoiceCloneParams,
  type VoiceDesignRequest,
  WORKER_PATHS,
  WorkerVoiceResultSchema,
  type WorkerVoiceResult,
} from '../../shared/protocol/worker-api.ts';
import { badWorkerAnswer, forwardedError, workerCallErrors } from '../pool/worker-answers.ts';
import type { PoolModel, WorkerPool } from '../pool/worker-pool.ts';

/** Reads a worker's answer to a voice request: the result, or its error as the API answers it. */
async function voiceResult(response: Response): Promise<WorkerVoiceResult> {
  const body = await response.json().catch(() => null);
  if (!response.ok) throw forwardedError(response.status, body, 'voice');
  const parsed = WorkerVoiceResultSchema.safeParse(body);
  if (!parsed.success) throw badWorkerAnswer('The voice worker answered something that is not a voice.');
  return parsed.data;
}

export const CLONE_ON_WORKER_ERRORS = workerCallErrors('cloneVoice');
export const DESIGN_ON_WORKER_ERRORS = workerCallErrors('designVoice');

/** Has a worker of `model` decode and check the clip and compute the model's profile from it. */
export async function cloneOnWorker(pool: WorkerPool, model: PoolModel, clip: Uint8Array, params: VoiceCloneParams, signal: AbortSignal) {
  const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const path = `${WORKER_PATHS.cloneVoice}?${query}`;
  return voiceResult(await pool.send(model, path, { method: 'POST', body: clip, headers: { 'x-request-id': params.request_id }, signal }));
}

/** Has a worker of `model` design a voice from its description and speak its preview. */
export async function designOnWorker(pool: WorkerPool, model: PoolModel, request: VoiceDesignRequest, signal: AbortSignal) {
  return voiceResult(
    await pool.send(model, WORKER_PATHS.designVoice, { method: 'POST', body: JSON.stringify(request), headers: { 'x-request-id': request.request_id }, signal }),
  );
}

export const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
