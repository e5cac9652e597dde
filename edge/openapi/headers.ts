import type { OpenAPIV3_1 } from 'openapi-types';
import { REQUEST_ID_HEADER } from '../middleware/request-id.ts';
import type { ResponseHeaders } from './error-catalogue.ts';

/** Response headers as the OpenAPI document describes them, from their names and descriptions. */
export const documentHeaders = (descriptions: Readonly<Record<string, string>>, schema: OpenAPIV3_1.HeaderObject['schema'] = { type: 'string' }): ResponseHeaders =>
  Object.fromEntries(Object.entries(descriptions).map(([name, description]) => [name, { description, schema }]));

/** On every response, errors included (edge/middleware/request-id.ts). */
export const REQUEST_ID_HEADERS = documentHeaders({
  [REQUEST_ID_HEADER]: "The request's id: the caller's own `x-request-id` when it is 8 to 128 of `A-Z a-z 0-9 . _ : -`, else a generated one.",
});

export const RETRY_AFTER_HEADERS = documentHeaders({ 'retry-after': 'Seconds until the request would be accepted.' }, { type: 'integer', minimum: 1 });
