import type { OpenAPIV3_1 } from 'openapi-types';

/** The statuses the API answers errors with. */
export type ErrorStatus = 400 | 401 | 402 | 403 | 404 | 409 | 410 | 413 | 415 | 416 | 422 | 426 | 429 | 500 | 502 | 503;

export type ErrorCodes = { readonly [S in ErrorStatus]?: readonly string[] };
export type ResponseHeaders = Readonly<Record<string, OpenAPIV3_1.HeaderObject>>;

/**
 * The error codes one piece of code can answer, by status, and the headers sent with them. Each
 * module that refuses requests exports its catalogue beside the code that throws; a route
 * documents its errors by composing the catalogues of what it runs (see error-responses.ts).
 */
export interface ErrorCatalogue<C extends ErrorCodes = ErrorCodes> {
  readonly codes: C;
  readonly headers?: { readonly [S in ErrorStatus]?: ResponseHeaders };
}

/** A catalogue whose codes keep their literal types, so throwing helpers can be typed by them. */
export const errorCatalogue = <const C extends ErrorCodes>(codes: C, headers?: ErrorCatalogue['headers']): ErrorCatalogue<C> =>
  headers ? { codes, headers } : { codes };

/** One catalogue holding every code and header of several. */
export function mergeCatalogues(...catalogues: ErrorCatalogue[]): Required<ErrorCatalogue> {
  const codes: { [S in ErrorStatus]?: string[] } = {};
  const headers: { [S in ErrorStatus]?: Record<string, OpenAPIV3_1.HeaderObject> } = {};
  for (const catalogue of catalogues) {
    for (const [key, list] of Object.entries(catalogue.codes) as [`${ErrorStatus}`, readonly string[]][]) {
      const status = Number(key) as ErrorStatus;
      codes[status] = [...new Set([...(codes[status] ?? []), ...list])];
    }
    for (const [key, named] of Object.entries(catalogue.headers ?? {}) as [`${ErrorStatus}`, ResponseHeaders][]) {
      const status = Number(key) as ErrorStatus;
      headers[status] = { ...headers[status], ...named };
    }
  }
  return { codes, headers };
}
