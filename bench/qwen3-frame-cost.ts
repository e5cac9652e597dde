/**
 * Per generated frame of the Qwen3-TTS engine: time in JavaScript outside ONNX Runtime, time
 * inside session runs, and bytes copied into and out of each session (the KV cache dominates:
 * onnxruntime-node takes inputs from and returns outputs to host memory, so on a GPU these
 * bytes cross PCIe every step). Measured on the tiny pack and on packs with the real 0.6B
 * widths but few layers; the per-layer slope extrapolates to the real 28 layers.
 *
 *   npm run bench:qwen3 [-- --text "..." --repeats 3 --threads 2]   (--help: every option)
 *
 * Prefill is excluded: counts start at the first frame and end with the last codec chunk.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadQwen3Engine } from '../gpu-worker/engines/qwen3/engine.ts';
import { RunStats, type SessionCost } from '../gpu-worker/engines/qwen3/run-stats.ts';
import { writeTinyPack, type TinyPackOptions } from '../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import { benchArgs } from './options.ts';

const { values } = benchArgs({
  command: 'npm run bench:qwen3 --',
  summary: "The Qwen3-TTS engine's cost per generated frame on generated packs: JavaScript time, ONNX Runtime time, bytes in and out of each session.",
  options: {
    text: { type: 'string', default: 'The quick brown fox jumps over the lazy dog, and the speech goes on.', smoke: 'Hello there.', description: 'what each run says' },
    repeats: { type: 'string', default: '5', smoke: '1', description: 'runs per pack; each time is the minimum over them' },
    threads: { type: 'string', default: '2', description: "ONNX Runtime's intra-op threads" },
    packs: {
      type: 'string',
      default: 'tiny,0.6b-2,0.6b-6',
      smoke: 'tiny',
      description: 'packs to measure: tiny, or 0.6b-<layers> (real 0.6B widths); two 0.6b packs give the extrapolation to 28 layers',
    },
  },
});

interface Row {
  pack: string;
  layers: number;
  hidden: number;
  frames: number;
  /** Prompt length, and the mean KV length over the counted decode steps. */
  prompt: number;
  context: number;
  wallMs: number;
  ortMs: number;
  jsMs: number;
  runs: number;
  sessions: Map<string, SessionCost>;
}

/** A pack by name: `tiny`, or `0.6b-<layers>` (the real 0.6B widths, few layers, one predictor layer). */
function packConfig(name: string): { label: string; options: TinyPackOptions } {
  if (name === 'tiny') return { label: 'tiny', options: { dims: 'tiny', layers: 2 } };
  const layers = /^0\.6b-(\d+)$/.exec(name)?.[1];
  if (!layers) throw new Error(`--packs: tiny or 0.6b-<layers>, not ${name}`);
  return { label: '0.6B widths', options: { dims: '0.6b', layers: Number(layers), predictorLayers: 1 } };
}
const CONFIGS = values.packs.split(',').map(packConfig);

function diff(after: Map<string, SessionCost>, before: Map<string, SessionCost>): Map<string, SessionCost> {
  const out = new Map<string, SessionCost>();
  for (const [name, a] of after) {
    const b = before.get(name) ?? { runs: 0, ms: 0, bytesIn: 0, bytesOut: 0 };
    out.set(name, { runs: a.runs - b.runs, ms: a.ms - b.ms, bytesIn: a.bytesIn - b.bytesIn, bytesOut: a.bytesOut - b.bytesOut });
  }
  return out;
}

const snapshot = (s: RunStats) => new Map([...s.bySession].map(([k, v]) => [k, { ...v }]));

async function measure(label: string, options: TinyPackOptions): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'qwen3-bench-'));
  try {
    const manifest = await writeTinyPack(dir, options);
    const engine = await loadQwen3Engine(dir, { intraOpThreads: Number(values.threads) });
    const repeats: Row[] = [];
    for (let r = 0; r < Number(values.repeats); r++) {
      const stats = new RunStats();
      let start = 0;
      let before = new Map<string, SessionCost>();
      let frames = 0;
      for await (const ev of engine.generate(
        { requestId: 'bench', text: values.text, voice: { kind: 'preset', id: 'default' }, language: 'en', speed: 1, seed: r },
        new AbortController().signal,
        stats,
      )) {
        if (ev.kind === 'frame') {
          frames++;
          if (frames === 1) {
            // Everything up to here is prefill and the first frame's draw: start counting after it.
            start = performance.now();
            before = snapshot(stats);
          }
        }
      }
      const wall = performance.now() - start;
      const sessions = diff(snapshot(stats), before);
      const n = frames - 1;
      const total = [...sessions.values()].reduce((a, c) => ({ runs: a.runs + c.runs, ms: a.ms + c.ms }), { runs: 0, ms: 0 });
      const row: Row = {
        pack: label,
        layers: manifest.dims.num_layers,
        hidden: manifest.dims.hidden_size,
        frames,
        prompt: 0,
        context: 0,
        wallMs: wall / n,
        ortMs: total.ms / n,
        jsMs: (wall - total.ms) / n,
        runs: total.runs / n,
        sessions: new Map([...sessions].map(([k, c]) => [k, { runs: c.runs / n, ms: c.ms / n, bytesIn: c.bytesIn / n, bytesOut: c.bytesOut / n }])),
      };
      // The prefill's bytes give the prompt length; the counted decode steps run at P = prompt .. prompt + frames - 1.
      const prefill = stats.bySession.get('talker_prefill');
      if (prefill) row.prompt = prefill.bytesIn / (manifest.dims.hidden_size * 4 + 8);
      row.context = row.prompt + (frames - 1) / 2;
      repeats.push(row);
    }
    await engine.close();
    // The machine is shared: every time is the minimum over the repeats (bytes do not vary).
    const min = (f: (r: Row) => number) => Math.min(...repeats.map(f));
    const first = repeats[0]!;
    return {
      ...first,
      wallMs: min((r) => r.wallMs),
      ortMs: min((r) => r.ortMs),
      jsMs: min((r) => r.jsMs),
      sessions: new Map([...first.sessions].map(([k, c]) => [k, { ...c, ms: min((r) => r.sessions.get(k)?.ms ?? 0) }])),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const kib = (bytes: number | undefined) => ((bytes ?? 0) / 1024).toFixed(1);
const ms = (v: number) => v.toFixed(2);

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const rows: Row[] = [];
for (const c of CONFIGS) {
  process.stderr.write(`measuring ${c.label}, ${c.options.layers} layers...\n`);
  rows.push(await measure(c.label, c.options));
}

console.log(`\nQwen3-TTS engine, cost per generated frame (CPU, ${values.threads} intra-op threads, minimum of ${values.repeats} runs; prefill excluded)\n`);
console.log(
  table(
    ['pack', 'layers', 'hidden', 'frames', 'mean ctx', 'wall ms', 'ORT ms', 'talker ms', 'predictor ms', 'JS ms', 'runs', 'talker in KiB', 'talker out KiB', 'predictor in KiB', 'predictor out KiB', 'embeds in/out KiB', 'codec in/out KiB'],
    rows.map((r) => {
      const s = (k: string) => r.sessions.get(k);
      const emb = ['codec_embed', 'code_predictor_embed', 'text_project'].map(s);
      return [
        r.pack, String(r.layers), String(r.hidden), String(r.frames), r.context.toFixed(0), ms(r.wallMs), ms(r.ortMs),
        ms(s('talker_decode')?.ms ?? 0), ms((s('code_predictor')?.ms ?? 0) + (s('code_predictor_embed')?.ms ?? 0)), ms(r.jsMs), r.runs.toFixed(1),
        kib(s('talker_decode')?.bytesIn), kib(s('talker_decode')?.bytesOut),
        kib(s('code_predictor')?.bytesIn), kib(s('code_predictor')?.bytesOut),
        `${kib(emb.reduce((a, c) => a + (c?.bytesIn ?? 0), 0))}/${kib(emb.reduce((a, c) => a + (c?.bytesOut ?? 0), 0))}`,
        `${kib(s('tokenizer12hz_decode')?.bytesIn)}/${kib(s('tokenizer12hz_decode')?.bytesOut)}`,
      ];
    }),
  ),
);

// Extrapolation to the real 0.6B (28 layers, 8 KV heads of 128): JS time is fitted linearly in the
// layer count from the two 0.6B-width rows; KV bytes follow from the shapes (checked against the
// measured rows above: in = 2 * L * 8 * P * 128 * bytes, out = the same at P + 1).
const [a, b] = rows.filter((r) => r.hidden === 1024);
if (a && b) {
  // JS work per frame (sampling 3,072 + 15 x 2,048 logits, summing embeddings, building tensors) does
  // not grow with layers except for the 2L cache tensors handed over; a negative fitted slope is noise.
  const slope = Math.max(0, (b.jsMs - a.jsMs) / (b.layers - a.layers));
  const js28 = Math.min(a.jsMs, b.jsMs) + slope * (28 - Math.min(a.layers, b.layers));
  const kvKiB = (r: Row) => (2 * r.layers * 8 * 128 * 4 * (2 * r.context + 1)) / 1024;
  const kv = (P: number, bytes: number) => (2 * 28 * 8 * 128 * bytes * (2 * P + 1)) / 2 ** 20;
  for (const r of [a, b]) {
    const d = r.sessions.get('talker_decode');
    console.log(`\n${r.layers} layers: talker in+out ${kib((d?.bytesIn ?? 0) + (d?.bytesOut ?? 0))} KiB per frame, of which KV cache ${kvKiB(r).toFixed(1)} KiB by formula (2 x L x 8 heads x P x 128 x 4 B, in at P and out at P+1); the rest is inputs_embeds, mask, logits, last_hidden`);
  }
  console.log(`\nExtrapolated to 28 layers (the real 0.6B talker: 8 KV heads of 128; for 1.7B take its dims from its pack, bytes scale with layers x KV heads x head_dim):`);
  console.log(`  JS outside ONNX Runtime: about ${ms(js28)} ms per frame (measured ${ms(a.jsMs)} at ${a.layers} layers, ${ms(b.jsMs)} at ${b.layers}; fitted ${slope.toFixed(3)} ms per layer)`);
  console.log(`  ONNX Runtime talker time on this CPU, linear in layers: about ${ms(((b.sessions.get('talker_decode')?.ms ?? 0) - (a.sessions.get('talker_decode')?.ms ?? 0)) / (b.layers - a.layers) * 28)} ms per frame (a GPU does this part)`);
  console.log(
    table(
      ['context (positions)', 'audio so far', 'KV in+out per frame fp32', 'fp16', 'per stream at 12.5 frames/s fp32', 'fp16'],
      [50, 200, 500, 1000].map((P) => [
        String(P), `${((P - 20) / 12.5).toFixed(1)} s`, `${kv(P, 4).toFixed(1)} MiB`, `${kv(P, 2).toFixed(1)} MiB`,
        `${((kv(P, 4) * 12.5) / 1024).toFixed(2)} GiB/s`, `${((kv(P, 2) * 12.5) / 1024).toFixed(2)} GiB/s`,
      ]),
    ),
  );
  console.log('  (the code predictor adds about 0.65 MiB per frame at hidden 1024, independent of layers and context)');
}
