/**
 * What a route uses to describe itself in the OpenAPI document, with hono-openapi's
 * `describeRoute`. A module that only exports an error catalogue imports error-catalogue.ts.
 */
export { errorCatalogue } from './error-catalogue.ts';
export { type ErrorBodySchema, errorResponses, errorResponsesWith } from './error-responses.ts';
export { documentHeaders, REQUEST_ID_HEADERS } from './headers.ts';
export { queryParameters } from './query.ts';
export { jsonResponse, requestBody, responseSchema } from './responses.ts';
export { ADMIN_SECURITY, apiKeySecurity, clientTokenSecurity, SOCKET_SECURITY, WORKER_SIGNATURE_SECURITY } from './security.ts';
