import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The code that runs: the edge, the worker, what they share, the playground's browser code, the scripts. */
const SOURCES = ['edge', 'gpu-worker', 'shared', 'playground/src', 'scripts'];

/**
 * The modules these import, and what each imports in turn. `import type` is left out: it is
 * erased before the code runs (verbatimModuleSyntax), so it cannot order module evaluation.
 */
const importGraph = () =>
  madge(
    SOURCES.map((dir) => join(ROOT, dir)),
    { baseDir: ROOT, fileExtensions: ['ts'], detectiveOptions: { ts: { skipTypeImports: true } } },
  );

describe('imports', () => {
  // In a circle one module runs before another it reads from has initialised its exports: an
  // error at load (or undefined), depending on which module of the circle is imported first.
  it('form no circle of value imports', async () => {
    const graph = await importGraph();
    // The graph is the real one: its edges are there, and every relative import was found.
    expect(graph.obj()['shared/schemas/speech.ts']).toContain('shared/audio/formats.ts');
    expect(graph.warnings().skipped.filter((specifier) => specifier.startsWith('.'))).toEqual([]);
    expect(graph.circular()).toEqual([]);
  });
});
