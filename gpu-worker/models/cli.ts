/**
 *   npm run models -- pull <name> [--dir <models dir>] [--registry <file or URL>]
 *   npm run models -- list [--registry <file or URL>]
 *   npm run models -- manifest <dir> --id <model id> [--description <text>]
 *
 * The registry defaults to $MODELS_REGISTRY, the directory to $MODELS_DIR or ./models.
 */
import { parseArgs } from 'node:util';
import { buildManifest } from './manifest.ts';
import { createProgressRenderer } from './progress.ts';
import { PullError, pullPack, readRegistry } from './pull.ts';

const USAGE = [
  'usage: npm run models -- pull <name> [--dir <models dir>] [--registry <file or URL>]',
  '       npm run models -- list [--registry <file or URL>]',
  '       npm run models -- manifest <dir> --id <model id> [--description <text>]',
].join('\n');

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: 'string' }, registry: { type: 'string' }, id: { type: 'string' }, description: { type: 'string' } },
  });
  const [command, name] = positionals;
  if (command === 'manifest' && name && values.id) {
    const m = await buildManifest(name, { id: values.id, ...(values.description ? { description: values.description } : {}) });
    console.log(`wrote ${name}/manifest.json: ${m.id}, ${m.variant}, ${m.dims.num_layers} layers, hidden ${m.dims.hidden_size}, ${Object.keys(m.files).length} files`);
    return 0;
  }
  const registry = values.registry ?? process.env.MODELS_REGISTRY;
  if (command !== 'list' && command !== 'pull') {
    console.error(USAGE);
    return 2;
  }
  if (!registry) {
    console.error('models: no registry: pass --registry <file or URL> or set MODELS_REGISTRY');
    return 2;
  }
  if (command === 'list') {
    const r = await readRegistry(registry);
    for (const [id, entry] of Object.entries(r.packs)) console.log(`${id}${entry.description ? `  ${entry.description}` : ''}`);
    return 0;
  }
  if (command === 'pull' && name) {
    const dir = values.dir ?? process.env.MODELS_DIR ?? 'models';
    const { stdout } = process;
    const shown = createProgressRenderer({ tty: stdout.isTTY === true, write: (text) => stdout.write(text), columns: stdout.columns });
    const target = await pullPack(name, { registry, dir, log: shown.log, progress: shown.update }).finally(shown.close);
    console.log(shown.summary());
    console.log(`start the stack with it: npm start -- --pack ${target}`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Expected failures (offline, bad checksum, missing config) print their message; bugs keep the stack.
  if (!(error instanceof PullError) && !(error instanceof Error && error.message.startsWith('models manifest:'))) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
