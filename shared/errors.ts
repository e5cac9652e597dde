import { z } from 'zod';

/**
 * The one error shape every response of the API uses, on the edge and on the worker:
 * `{ "error": { "type", "code", "message", "param"? } }`. `type` is the broad class (stable,
 * few values), `code` the precise reason a client can branch on.
 */
export const API_ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'insufficient_credits',
  'rate_limit_error',
  'service_unavailable',
  'internal_error',
] as const;
export type ApiErrorType = (typeof API_ERROR_TYPES)[number];

export const ApiErrorObjectSchema = z.object({
  type: z.enum(API_ERROR_TYPES).describe('The broad class of the error.'),
  code: z.string().describe('The precise reason, stable for clients to branch on.'),
  message: z.string().describe('What went wrong and what to do, for people.'),
  param: z.string().optional().describe('The request field the error is about.'),
});
export const ApiErrorBodySchema = z.object({ error: ApiErrorObjectSchema });
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/** An error with everything needed to answer it; thrown anywhere, turned into JSON at the boundary. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: ApiErrorType;
  readonly code: string;
  readonly param: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    type: ApiErrorType,
    code: string,
    message: string,
    options: { param?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = options.param;
    this.headers = options.headers ?? {};
  }

  toJSON(): ApiErrorBody {
    return {
      error: {
        type: this.type,
        code: this.code,
        message: this.message,
        ...(this.param === undefined ? {} : { param: this.param }),
      },
    };
  }

  /** Rebuilds an ApiError from a JSON body another service answered with, if it has the shape. */
  static fromBody(status: number, body: unknown): ApiError | undefined {
    const error = (body as Partial<ApiErrorBody> | null)?.error;
    if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') return undefined;
    return new ApiError(status, error.type ?? 'internal_error', error.code, error.message, {
      ...(error.param === undefined ? {} : { param: error.param }),
    });
  }
}

export const invalidRequest = (code: string, message: string, param?: string) =>
  new ApiError(400, 'invalid_request_error', code, message, param === undefined ? {} : { param });
