import type { ResponsesWithResolver } from 'hono-openapi';
import { z } from 'zod';
import { ApiErrorObjectSchema } from '../../shared/errors.ts';
import { CONFIG_ERRORS } from '../config/edge-config.ts';
import { UNHANDLED_ERRORS } from '../middleware/errors.ts';
import { type ErrorCatalogue, type ErrorStatus, mergeCatalogues } from './error-catalogue.ts';
import { REQUEST_ID_HEADERS } from './headers.ts';
import { responseSchema } from './responses.ts';

const STATUS_TEXT: Record<ErrorStatus, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  402: 'Payment required',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content too large',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  422: 'Unprocessable content',
  426: 'Upgrade required',
  429: 'Too many requests',
  500: 'Internal error',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

/**
 * An error body as a dialect answers it, for the codes one status of an operation can answer
 * (the dialect's field holding the code narrowed to them): ours is `{ error: { ..., code } }`
 * (shared/errors.ts), a dialect's its own (e.g. ElevenLabs' `{ detail: { status, ... } }`).
 */
export type ErrorBodySchema = (codes: readonly [string, ...string[]]) => z.ZodType;

/** Our error body with `code` narrowed to the codes one status of an operation can answer. */
const apiErrorBody: ErrorBodySchema = (codes) =>
  z.object({ error: ApiErrorObjectSchema.extend({ code: z.enum(codes).describe(ApiErrorObjectSchema.shape.code.description!) }) });

/**
 * An operation's error responses, one per status, from the catalogues of what it runs (and the
 * failures every route may answer: an unexpected one, an invalid configuration), each in the body
 * `body` makes: each lists its codes, in the description and as the enum of the body's code, with
 * the headers sent alongside. A dialect documents its errors with its own body (e.g.
 * `elevenLabsErrorResponses`); the codes and headers are the same catalogues either way.
 */
export const errorResponsesWith =
  (body: ErrorBodySchema) =>
  (...catalogues: ErrorCatalogue[]): ResponsesWithResolver => {
    const { codes, headers } = mergeCatalogues(...catalogues, UNHANDLED_ERRORS, CONFIG_ERRORS);
    return Object.fromEntries(
      (Object.entries(codes) as [`${ErrorStatus}`, [string, ...string[]]][]).map(([key, list]) => {
        const status = Number(key) as ErrorStatus;
        return [
          key,
          {
            description: `${STATUS_TEXT[status]}: ${list.map((code) => `\`${code}\``).join(', ')}.`,
            headers: { ...REQUEST_ID_HEADERS, ...headers[status] },
            content: { 'application/json': { schema: responseSchema(body(list)) } },
          },
        ];
      }),
    );
  };

/** An operation's error responses in our body, `{ error: { type, code, message, param? } }`. */
export const errorResponses = errorResponsesWith(apiErrorBody);
