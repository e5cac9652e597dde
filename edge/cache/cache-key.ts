import type { WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';

/**
 * Bumped when what a key covers changes meaning (a field the worker reads that the key must add),
 * so that no entry made under the old meaning is reachable.
 */
const KEY_FORMAT = 1;

/** What shapes a rendering's audio besides the worker's request: the pack that makes it and the dictionaries that made its text. */
export interface RenderingIdentity {
  modelVersion: string;
  /** `id@version`, in order. */
  dictionaries: readonly string[];
}

/**
 * The cache key of a rendering: SHA-256 (hex) of everything that shapes its audio and its words.
 * That is the worker's request (model, voice, language, the input and its segments, which hold
 * the text after SSML and dictionaries, speed, instructions, seed, format, rate, bitrate) less what
 * names the attempt (request id, priority, resume point, whether words are wanted: a stored
 * rendering says whether it has them), with an account voice named by id and version rather than
 * by its profile (a version's profile never changes), plus the model's pack version and the
 * dictionaries' versions. The scope (whose cache) is the object's folder, not part of the key.
 */
export async function renderingKey(request: WorkerSynthesisRequest, identity: RenderingIdentity): Promise<string> {
  const { request_id: _id, priority: _priority, resume_at_byte: _resume, timestamps: _timestamps, voice_profile, ...shaping } = request;
  const material = JSON.stringify([
    KEY_FORMAT,
    identity.modelVersion,
    identity.dictionaries,
    voice_profile ? { id: voice_profile.id, version: voice_profile.version } : null,
    shaping,
  ]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(material));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
