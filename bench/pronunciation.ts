/**
 * What pronunciation control costs. First the edge's own work, in this process: reading SSML
 * (the largest a speech request takes), applying three dictionaries of 1,000 rules to a job-sized
 * chunk, and cutting the script into the worker's segments. Then through the edge on a local stack
 * (workerd with real D1 and KV, a real gpu-worker on espeak): time to first byte for the same
 * words as plain text, as SSML with pauses and a substitution, and with a 1,000-rule dictionary
 * named at its latest version (one D1 read) and pinned (KV only), interleaved in each round.
 *
 *   npm run bench:pronunciation -- [--requests 40] [--repeats 200]
 */
import { startEdge } from '../test/harness/edge.ts';
import { startGpuWorker } from '../test/harness/gpu-worker.ts';
import { MAX_INPUT_CHARACTERS } from '../shared/schemas/speech.ts';
import type { DictionaryRules, PronunciationRule } from '../shared/schemas/pronunciation.ts';
import { applyDictionaries } from '../edge/pronunciation/apply-rules.ts';
import { plainTextScript } from '../edge/pronunciation/script.ts';
import { readInputScript } from '../edge/pronunciation/request-script.ts';
import { speechSegments } from '../edge/pronunciation/speech-segments.ts';
import { benchArgs } from './options.ts';
import { percentile, type Sample, timed } from './timing.ts';

const { values } = benchArgs({
  command: 'npm run bench:pronunciation --',
  summary: "The edge's cost of SSML and pronunciation dictionaries, then time to first byte with and without them through the edge.",
  options: {
    repeats: { type: 'string', default: '200', smoke: '3', description: 'timed runs of each step of the edge work' },
    requests: { type: 'string', default: '40', smoke: '2', description: 'requests of each kind through the edge' },
    warmups: { type: 'string', default: '5', smoke: '1', description: 'unmeasured requests of each kind first' },
  },
});
const repeats = Number(values.repeats);
const requests = Number(values.requests);

// ---- the edge's own work ----

const words = 'We keep the records in SQL and read them back with the API every day at noon'.split(' ');
const prose = (characters: number) => {
  let text = '';
  for (let i = 0; text.length < characters; i++) text += `${words[i % words.length]}${i % 12 === 11 ? '. ' : ' '}`;
  return text.slice(0, characters);
};
/** The largest SSML a request takes: 4,096 characters of text in sentences, with breaks and substitutions. */
const bigSsml = (() => {
  const sentences = prose(MAX_INPUT_CHARACTERS - 200).split('. ');
  const body = sentences.map((sentence, i) => (i % 4 === 0 ? `<s>${sentence.replace('SQL', '<sub alias="sequel">SQL</sub>')}.</s><break time="250ms"/>` : `<s>${sentence}.</s>`)).join('\n');
  return `<speak xml:lang="en">\n<p>${body}</p>\n</speak>`;
})();
const rules = (seed: number): PronunciationRule[] =>
  Array.from({ length: 999 }, (_, i) => ({ type: 'alias', string_to_replace: `term${seed}x${i}`, alias: `term ${i}`, case_sensitive: i % 2 === 0, word_boundaries: true }));
const dictionaries: DictionaryRules[] = [0, 1, 2].map((d) => ({ id: `pd_${d}`, version: 1, rules: [...rules(d), { type: 'alias', string_to_replace: 'SQL', alias: 'sequel', case_sensitive: true, word_boundaries: true }] }));
const chunk = prose(1200);

const timeStep = (run: () => unknown) => {
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    run();
    ms.push(performance.now() - started);
  }
  return { 'median ms': percentile(ms, 50).toFixed(3), 'p90 ms': percentile(ms, 90).toFixed(3) };
};
const script = readInputScript({ input: bigSsml });
const detect = (text: string) => ({ segments: [{ text, language: 'en' }] });
console.log(`the edge's work, ${repeats} runs each (Node on this machine; workerd's V8 is the same engine)`);
console.table([
  { step: 'read SSML', input: `${[...bigSsml].length} characters, ${script.characters} of text`, ...timeStep(() => readInputScript({ input: bigSsml })) },
  { step: 'apply 3 dictionaries', input: `3 × 1,000 rules on ${chunk.length} characters`, ...timeStep(() => applyDictionaries(plainTextScript(chunk), dictionaries)) },
  {
    step: 'cut into segments',
    input: `the SSML above: ${script.items.length} items`,
    ...timeStep(() => speechSegments(script, bigSsml, { language: undefined, checkLanguage: (l) => l, detect, fallback: 'en', capabilities: { phonemes: true, emphasis: true } })),
  },
]);

// ---- through the edge ----

const worker = await startGpuWorker();
const edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
try {
  const { key } = await edge.createKey({ credits: 100_000_000 });
  const post = (path: string, body: unknown) => edge.fetch(path, { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const created = await post('/v1/pronunciation-dictionaries', { name: 'bench', rules: dictionaries[0]!.rules });
  if (created.status !== 201) throw new Error(`dictionary: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const text = 'We keep the records in SQL. We read them back every day.';
  const speak = (body: Record<string, unknown>) => () => post('/v1/audio/speech', { model: 'espeak', voice: 'en-female', language: 'en', response_format: 'pcm', ...body });
  const kinds = {
    'plain text': speak({ input: text }),
    'SSML (breaks, sub)': speak({ input: '<speak><s>We keep the records in <sub alias="sequel">SQL</sub>.</s><break time="200ms"/><s>We read them back every day.</s></speak>' }),
    'dictionary, latest (D1 + KV)': speak({ input: text, pronunciation_dictionaries: [{ id }] }),
    'dictionary, pinned (KV)': speak({ input: text, pronunciation_dictionaries: [{ id, version: 1 }] }),
  };
  const samples = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, [] as Sample[]]));
  for (let i = 0; i < Number(values.warmups); i++) for (const send of Object.values(kinds)) await timed(send);
  for (let i = 0; i < requests; i++) for (const [kind, send] of Object.entries(kinds)) samples[kind]!.push(await timed(send));
  const plain = percentile(samples['plain text']!.map((s) => s.firstByteMs), 50);
  console.log(`\nthrough the edge: ${requests} requests of each kind, interleaved; espeak, pcm, "${text}"`);
  console.table(
    Object.entries(samples).map(([kind, list]) => {
      const ttfb = list.map((s) => s.firstByteMs);
      return {
        request: kind,
        'ttfb p50 ms': percentile(ttfb, 50).toFixed(1),
        'ttfb p90 ms': percentile(ttfb, 90).toFixed(1),
        'total p50 ms': percentile(list.map((s) => s.totalMs), 50).toFixed(1),
        'ttfb p50 ÷ plain': (percentile(ttfb, 50) / plain).toFixed(2),
      };
    }),
  );
} finally {
  await edge.dispose();
  await worker.stop();
}
