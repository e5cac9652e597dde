import { resolver, type ResponsesWithResolver } from 'hono-openapi';
import type { z } from 'zod';
import type { ResponseHeaders } from './error-catalogue.ts';
import { REQUEST_ID_HEADERS } from './headers.ts';

/** A schema as the document shows a response: what the code produces (zod's output side: defaults applied). */
export const responseSchema = (schema: z.ZodType) => resolver(schema, { options: { io: 'output' } });

/** A JSON response built from the zod schema its handler's answer is typed with. */
export const jsonResponse = (description: string, schema: z.ZodType, headers: ResponseHeaders = {}): ResponsesWithResolver[string] => ({
  description,
  headers: { ...REQUEST_ID_HEADERS, ...headers },
  content: { 'application/json': { schema: responseSchema(schema) } },
});

/** A request body, documented from the schema the handler parses it with (zod's input side: defaults optional). */
export const requestBody = (schema: z.ZodType, mediaType = 'application/json') => ({
  required: true,
  content: { [mediaType]: { schema: resolver(schema) } },
});
