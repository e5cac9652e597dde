import type { Context } from 'hono';
import type { z } from 'zod';
import { invalidRequest } from '../../shared/errors.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';

export const JSON_BODY_ERRORS = errorCatalogue({ 400: ['invalid_json', 'invalid_parameter'] });

/** Parses a JSON body against a schema, answering 400 with the offending field as `param`. */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  // The content type is not checked: `curl -d` sends a form type, and the body is parsed as JSON anyway.
  let body: unknown;
  try {
    body = await c.req.json();
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
