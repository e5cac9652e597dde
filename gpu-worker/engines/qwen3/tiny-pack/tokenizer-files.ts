/**
 * A small byte-level BPE vocabulary in the Qwen2 file format (vocab.json + merges.txt): the 256
 * byte symbols, then merges learnt greedily from a fixed corpus, so that real multi-byte merges
 * are exercised by the engine's tokenizer.
 */

/** GPT-2's reversible byte-to-character table that byte-level BPE vocabularies are written in. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  return table;
}

const CORPUS =
  'assistant user hello world this is a test of the speech system. the quick brown fox jumps over the lazy dog. ' +
  'speak slowly and clearly, the voice is warm and calm. hallo welt, bonjour le monde, hola mundo, ciao mondo.';

export function tinyVocabulary(mergeCount: number): { vocab: Record<string, number>; merges: string[] } {
  const table = bytesToUnicode();
  const vocab: Record<string, number> = {};
  table.forEach((ch, i) => (vocab[ch] = i));
  // Words as the pre-tokenizer roughly splits them: a leading space belongs to the word.
  let words = (CORPUS.match(/ ?[a-z]+|[^a-z]/g) ?? []).map((w) =>
    [...new TextEncoder().encode(w)].map((b) => table[b] as string),
  );
  const merges: string[] = [];
  while (merges.length < mergeCount) {
    const counts = new Map<string, number>();
    for (const w of words) for (let i = 0; i + 1 < w.length; i++) {
      const key = `${w[i]} ${w[i + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let best = '';
    let bestCount = 1;
    for (const [k, c] of counts) if (c > bestCount || (c === bestCount && best !== '' && k < best)) [best, bestCount] = [k, c];
    if (best === '') break;
    const [a, b] = best.split(' ') as [string, string];
    merges.push(best);
    vocab[a + b] = Object.keys(vocab).length;
    words = words.map((w) => {
      const out: string[] = [];
      for (let i = 0; i < w.length; i++) {
        if (w[i] === a && w[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(w[i] as string);
      }
      return out;
    });
  }
  return { vocab, merges };
}
