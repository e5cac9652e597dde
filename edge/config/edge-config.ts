import { ApiError } from '../../shared/errors.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { type Checked, EDGE_CONFIG_NAMES, type EdgeConfig, parseEdgeConfig } from './schema.ts';

/** Every route may answer it: the deployment's variables or secrets are invalid (edge/config/schema.ts). */
export const CONFIG_ERRORS = errorCatalogue({ 500: ['server_misconfigured'] });

export const serverMisconfigured = () =>
  new ApiError(500, 'internal_error', 'server_misconfigured', "The service's configuration is invalid; its operator has been told in its logs.");

// Per isolate: the values last parsed and what they parsed to. An isolate's env does not change,
// so this parses (and, when the values are bad, logs) once.
let parsed: { values: readonly unknown[]; result: Checked<EdgeConfig> } | undefined;

/**
 * The deployment's configuration, typed; what the code reads instead of `env.X`. Throws 500
 * `server_misconfigured` while it is invalid, after logging why once, as a JSON line naming
 * each variable at fault and what it allows (never a secret's value).
 */
export function edgeConfig(env: object): EdgeConfig {
  const raw = env as Readonly<Record<string, unknown>>;
  const values = EDGE_CONFIG_NAMES.map((name) => raw[name]);
  if (parsed === undefined || values.some((value, i) => value !== parsed!.values[i])) {
    const result = parseEdgeConfig(raw);
    if (!result.ok) {
      console.error(
        JSON.stringify({
          level: 'error',
          message: 'invalid configuration: every request answers 500 server_misconfigured until it is fixed',
          problems: result.problems,
        }),
      );
    }
    parsed = { values, result };
  }
  if (!parsed.result.ok) throw serverMisconfigured();
  return parsed.result.value;
}
