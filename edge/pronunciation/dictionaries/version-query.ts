import { z } from 'zod';
import { invalidRequest } from '../../../shared/errors.ts';
import { errorCatalogue } from '../../openapi/error-catalogue.ts';

/** `?version=N` of the routes that read one version of a dictionary (absent: its latest). */
export const VersionQuerySchema = z.object({
  version: z.coerce.number().int().positive().optional().describe("A version of the dictionary; default its latest."),
});
export const VERSION_QUERY_ERRORS = errorCatalogue({ 400: ['invalid_parameter'] });

export function readVersionQuery(query: Record<string, string>): number | undefined {
  const parsed = VersionQuerySchema.safeParse(query);
  if (!parsed.success) throw invalidRequest('invalid_parameter', `version: ${parsed.error.issues[0]!.message}`, 'version');
  return parsed.data.version;
}
