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

/** The error codes an operation documents for a status: the enum of `error.code` in its JSON body. */
export function documentedCodes(document: OpenApiDocument, operation: Operation, status: number): string[] {
  const resolve = (schema: Schema | undefined): Schema | undefined =>
    schema?.$ref ? resolve(document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')]) : schema;
  const body = resolve(operation.responses[String(status)]?.content?.['application/json']?.schema);
  return resolve(resolve(body?.properties?.error)?.properties?.code)?.enum ?? [];
}
