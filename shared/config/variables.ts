/**
 * Building blocks for the schemas of the edge's and the worker's configuration (edge/config/,
 * gpu-worker/config.ts): variables arrive as text, and each problem is reported naming the
 * variable, what it allows and the value it got.
 */
import { z } from 'zod';

/**
 * A variable's value as text, or undefined when unset or blank: wrangler.toml and shells blank a
 * variable more easily than they remove it. A number or boolean (a TOML `[vars]` entry written
 * without quotes reaches the edge as one) counts as its text.
 */
export function variableText(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

/** A variable that may be unset or blank: then `fallback`, or undefined without one. */
export function withDefault<T extends z.ZodType>(schema: T, fallback: z.output<T>) {
  return z.preprocess(variableText, schema.default(fallback as never));
}
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(variableText, schema.optional());
}
/** A variable that must be set; `allowed` says what it must be set to. */
export function required<T extends z.ZodType>(schema: T) {
  return z.preprocess(variableText, schema);
}

/** Text of a whole number from `min` up to `max`. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  const allowed = max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
  return z
    .string({ error: `must be ${allowed}` })
    .trim()
    .refine((text) => /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max, { error: `must be ${allowed}` })
    .transform(Number);
}

/** Whether `text` is an http or https URL. */
export function isHttpUrl(text: string): boolean {
  const protocol = URL.canParse(text) ? new URL(text).protocol : undefined;
  return protocol === 'http:' || protocol === 'https:';
}

/** Text naming one of `values`. */
export function oneOf<const V extends readonly [string, ...string[]]>(values: V) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

export interface ProblemOptions {
  /** Variables whose values are never repeated in a message. */
  secrets?: readonly string[];
  /** How to name a variable when its name alone would not say where it came from (e.g. `--port / WORKER_PORT`). */
  labels?: Readonly<Record<string, string>>;
}

/** Values longer than this are not repeated in a message: the path in the issue says where the fault is. */
const MAX_QUOTED_CHARACTERS = 80;

/** One line per problem: `NAME: must be ..., got "value"`. */
export function describeProblems(error: z.ZodError, input: Readonly<Record<string, unknown>>, options: ProblemOptions = {}): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(configuration)');
    const value = input[name];
    const quoted = JSON.stringify(value);
    const shown =
      value === undefined || variableText(value) === undefined
        ? ', but it is not set'
        : options.secrets?.includes(name) || quoted.length > MAX_QUOTED_CHARACTERS
          ? ''
          : `, got ${quoted}`;
    return `${options.labels?.[name] ?? name}: ${issue.message}${shown}`;
  });
}

/** The schema's output, or a line per problem. */
export function parseVariables<T extends z.ZodType>(
  schema: T,
  input: Readonly<Record<string, unknown>>,
  options: ProblemOptions = {},
): { ok: true; value: z.output<T> } | { ok: false; problems: string[] } {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, problems: describeProblems(result.error, input, options) };
}
