import { z } from 'zod';
import { type ApiError, ApiErrorObjectSchema } from '../../../shared/errors.ts';
import { type ErrorBodySchema, errorResponsesWith } from '../../openapi/index.ts';

/**
 * ElevenLabs' error body: `{ "detail": { "status": <code>, "message": <text> } }`. The status
 * codes and codes are the API's own (the same refusal answers the same on either dialect), so a
 * client branches on `detail.status` as it would on `error.code`; `param`, when there is one, stays.
 */
const ElevenLabsErrorDetailSchema = z.object({
  status: z.string().describe("The precise reason, stable for clients to branch on: the code our API answers (`error.code` in its own shape)."),
  message: ApiErrorObjectSchema.shape.message,
  param: z.string().optional().describe("The request field the error is about, as ElevenLabs names it (`text`, `voice_id`, `output_format`, ...)."),
});
export type ElevenLabsErrorBody = { detail: z.infer<typeof ElevenLabsErrorDetailSchema> };

/** Our request fields as ElevenLabs names them, for the `param` of a refusal the core makes. */
const ELEVENLABS_PARAMS: Readonly<Record<string, string>> = {
  input: 'text',
  voice: 'voice_id',
  model: 'model_id',
  language: 'language_code',
  speed: 'voice_settings.speed',
  response_format: 'output_format',
  sample_rate: 'output_format',
  bitrate: 'output_format',
};

/**
 * The body of a refusal under `/elevenlabs`: its `param` as ElevenLabs names the field, and a
 * message that opens with our field's name (the core's "input must contain text…") opening with
 * theirs instead.
 */
export function elevenLabsErrorBody(error: ApiError): ElevenLabsErrorBody {
  const param = error.param === undefined ? undefined : (ELEVENLABS_PARAMS[error.param] ?? error.param);
  const message = error.param !== undefined && param !== error.param && error.message.startsWith(`${error.param} `) ? `${param}${error.message.slice(error.param.length)}` : error.message;
  return { detail: { status: error.code, message, ...(param ? { param } : {}) } };
}

/** The body as the OpenAPI document shows one status of an operation: `detail.status` narrowed to its codes. */
const elevenLabsErrorBodySchema: ErrorBodySchema = (codes) =>
  z.object({ detail: ElevenLabsErrorDetailSchema.extend({ status: z.enum(codes).describe(ElevenLabsErrorDetailSchema.shape.status.description!) }) });

/**
 * An ElevenLabs operation's error responses, from the catalogues of what it runs as
 * `errorResponses` makes ours (the same codes, statuses and headers), in ElevenLabs' body.
 */
export const elevenLabsErrorResponses = errorResponsesWith(elevenLabsErrorBodySchema);
