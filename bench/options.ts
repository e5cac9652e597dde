/**
 * A bench's command line: its options declared once, each with a one-line description, plus the
 * two every bench has. `--help` prints the options (generated from the declarations) and exits.
 * `--smoke` takes each option's `smoke` value instead of its default (a handful of requests at
 * the smallest levels): the same code path end to end in seconds, which is how
 * bench/benches.smoke.test.ts runs every bench. Options given on the command line win over both.
 */
import { parseArgs } from 'node:util';

interface TextOption {
  type: 'string';
  multiple?: false;
  description: string;
  default?: string;
  smoke?: string;
}
interface ListOption {
  type: 'string';
  multiple: true;
  description: string;
  default?: string[];
  smoke?: string[];
}
interface FlagOption {
  type: 'boolean';
  description: string;
  smoke?: boolean;
}
export type BenchOption = TextOption | ListOption | FlagOption;

/** A flag is false unless given, a list empty; a text option is a string once it has a default. */
type ValueOf<O extends BenchOption> = O extends FlagOption ? boolean : O extends ListOption ? string[] : O extends { default: string } ? string : string | undefined;
export type BenchValues<T extends Record<string, BenchOption>> = { [K in keyof T]: ValueOf<T[K]> };

const BUILT_IN = {
  smoke: { type: 'boolean', description: 'a handful of requests at the smallest levels: checks the bench runs end to end, in seconds' },
  help: { type: 'boolean', description: 'print these options and exit' },
} as const satisfies Record<string, FlagOption>;

/** A value as it would be typed: quoted when it holds a space. */
const shown = (value: string | string[] | boolean): string =>
  Array.isArray(value) ? value.map(shown).join(' ') : typeof value === 'string' && value.includes(' ') ? JSON.stringify(value) : String(value);

function helpText(command: string, summary: string, options: Record<string, BenchOption>): string {
  const all: Record<string, BenchOption> = { ...options, ...BUILT_IN };
  const lines = Object.entries(all).map(([name, option]) => {
    const flag = `--${name}${option.type === 'string' ? ` <${option.multiple ? 'value>...' : 'value>'}` : ''}`;
    const defaults = [
      'default' in option && option.default !== undefined ? `default ${shown(option.default)}` : '',
      option.smoke !== undefined ? `smoke ${shown(option.smoke)}` : '',
    ].filter(Boolean);
    return `  ${flag.padEnd(28)} ${option.description}${defaults.length ? ` (${defaults.join('; ')})` : ''}`;
  });
  return [`Usage: ${command} [options]`, '', summary, '', 'Options:', ...lines].join('\n');
}

/**
 * Parses this process's arguments against `options`. `--help` prints them and exits 0; an unknown
 * option or a missing value prints what is wrong and exits 2, without a stack trace.
 */
export function benchArgs<const T extends Record<string, BenchOption>>(spec: {
  /** How the bench is run, up to its options: `npm run bench:x --`. */
  command: string;
  summary: string;
  options: T;
}): { values: BenchValues<T> } {
  const { command, summary, options } = spec;
  // Defaults are applied below, not by parseArgs, so that an option given explicitly beats its smoke value.
  const all: Record<string, BenchOption> = { ...options, ...BUILT_IN };
  const declared = Object.fromEntries(
    Object.entries(all).map(([name, option]) => [name, { type: option.type, multiple: 'multiple' in option && option.multiple === true }]),
  );
  let parsed: Record<string, string | boolean | string[] | undefined>;
  try {
    parsed = parseArgs({ options: declared, strict: true, allowPositionals: false }).values as typeof parsed;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\nRun with --help for the options.`);
    process.exit(2);
  }
  if (parsed.help) {
    console.log(helpText(command, summary, options));
    process.exit(0);
  }
  const smoke = parsed.smoke === true;
  const values = Object.fromEntries(
    Object.entries(options as Record<string, BenchOption>).map(([name, option]) => {
      const fallback = smoke && option.smoke !== undefined ? option.smoke : 'default' in option ? option.default : undefined;
      const value = parsed[name] ?? fallback ?? (option.type === 'boolean' ? false : option.multiple ? [] : undefined);
      return [name, value];
    }),
  );
  return { values: values as BenchValues<T> };
}
