import type { Context } from 'hono';
import type { z } from 'zod';
import { invalidRequest } from '../../shared/errors.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { bodyTooLarge, MAX_BODY_BYTES } from './body-limit.ts';

export const JSON_BODY_ERRORS = errorCatalogue({ 400: ['invalid_json', 'invalid_parameter'], 413: ['body_too_large'] });

/**
 * Parses a JSON body of at most `maxBytes` (default MAX_BODY_BYTES.json) against a schema, answering 400 with the
 * offending field as `param`, or 413 `body_too_large`.
 */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S, maxBytes: number = MAX_BODY_BYTES.json): Promise<z.infer<S>> {
  // The content type is not checked: `curl -d` sends a form type, and the body is parsed as JSON anyway.
  const text = await readText(c.req.raw, maxBytes);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidRequest('invalid_json', 'The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join('.') || undefined;
    throw invalidRequest('invalid_parameter', param ? `${param}: ${issue.message}` : issue.message, param);
  }
  return parsed.data;
}

/**
 * The body as text, refused once it passes `maxBytes` (declared or counted) so that no route holds
 * more than that of a JSON body. A refused body's reader lets go, so drain-refused-body reads the rest.
 */
async function readText(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return '';
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw bodyTooLarge(maxBytes);
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  const reader = request.body.getReader();
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      size += read.value.byteLength;
      if (size > maxBytes) throw bodyTooLarge(maxBytes);
      text += decoder.decode(read.value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text + decoder.decode();
}
