/**
 * Reading the edge's OpenAPI document (GET /openapi.json) in tests: which operation serves a
 * request, and which error codes it documents for a status.
 */

interface Schema {
  $ref?: string;
  properties?: Record<string, Schema>;
  enum?: string[];
}
export interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
export interface OpenApiDocument {
  openapi: string;
  tags?: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, unknown> };
}

const segmentsOf = (path: string) => path.split('/').slice(1);

/** Whether `pathname` is an instance of `template` (`/v1/voices/{id}`): a `{param}` is one non-empty segment. */
function matches(template: string, pathname: string): boolean {
  const want = segmentsOf(template);
  const have = segmentsOf(pathname);
  return want.length === have.length && want.every((segment, i) => (segment.startsWith('{') ? have[i] !== '' : segment === have[i]));
}

/** The operation that serves `method pathname`, preferring literal segments over parameters (as Hono matches them); undefined when none does. */
export function findOperation(document: OpenApiDocument, method: string, pathname: string): { template: string; operation: Operation } | undefined {
  const params = (template: string) => (template.match(/\{/g) ?? []).length;
  const candidates = Object.entries(document.paths)
    .filter(([template, operations]) => operations[method.toLowerCase()] && matches(template, pathname))
    .sort(([a], [b]) => params(a) - params(b));
  const [template, operations] = candidates[0] ?? [];
  return template && operations ? { template, operation: operations[method.toLowerCase()]! } : undefined;
}

/** Where each error body names its code: ours in `error.code`, ElevenLabs' dialect in `detail.status`. */
export const ERROR_CODE_FIELDS = { error: 'code', detail: 'status' } as const;
export type ErrorShape = keyof typeof ERROR_CODE_FIELDS;

/** The error body an operation documents for a status, with `$ref`s followed. */
function errorBodySchema(document: OpenApiDocument, operation: Operation, status: number): { resolve: (schema: Schema | undefined) => Schema | undefined; body: Schema | undefined } {
  const resolve = (schema: Schema | undefined): Schema | undefined =>
    schema?.$ref ? resolve(document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')]) : schema;
  return { resolve, body: resolve(operation.responses[String(status)]?.content?.['application/json']?.schema) };
}

/** The shape of the error body an operation documents for a status: `{ error: ... }` or `{ detail: ... }`; undefined when it documents none. */
export function documentedErrorShape(document: OpenApiDocument, operation: Operation, status: number): ErrorShape | undefined {
  const { body } = errorBodySchema(document, operation, status);
  const shapes = (Object.keys(ERROR_CODE_FIELDS) as ErrorShape[]).filter((shape) => body?.properties?.[shape]);
  return shapes.length === 1 ? shapes[0] : undefined;
}

/** The error codes an operation documents for a status: the enum of `error.code` (or `detail.status`, in ElevenLabs' shape) in its JSON body. */
export function documentedCodes(document: OpenApiDocument, operation: Operation, status: number): string[] {
  const { resolve, body } = errorBodySchema(document, operation, status);
  const shape = documentedErrorShape(document, operation, status);
  if (!shape) return [];
  return resolve(resolve(body?.properties?.[shape])?.properties?.[ERROR_CODE_FIELDS[shape]])?.enum ?? [];
}
