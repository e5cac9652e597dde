/**
 * Text to token ids with the Qwen2 byte-level BPE, through @huggingface/tokenizers, loaded from
 * the pack only (no network). Packs carry either `tokenizer.json` or the `vocab.json` +
 * `merges.txt` pair of the Qwen repositories; for the pair, the tokenizer definition is the
 * Qwen2 one (NFC, the Qwen2 split pattern, byte-level BPE) assembled here.
 *
 * Special tokens are deliberately not registered: the prompt builder inserts their ids itself,
 * so a user text containing "<|im_end|>" is read as plain characters, not as a control token.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { PackError } from './pack.ts';

/** The pre-tokenizer split of Qwen2's tokenizer.json. */
export const QWEN2_SPLIT_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** A tokenizer.json definition for Qwen2's BPE from its vocabulary and merges. */
export function qwen2TokenizerDefinition(vocab: Record<string, number>, merges: string[]): object {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'Split', pattern: { Regex: QWEN2_SPLIT_PATTERN }, behavior: 'Isolated', invert: false }, byteLevel],
    },
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/** merges.txt: an optional "#version" line, then one "left right" pair per line. */
export function parseMerges(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0 && !line.startsWith('#version'));
}

export class TextTokenizer {
  private readonly tokenizer: Tokenizer;

  constructor(tokenizer: Tokenizer) {
    this.tokenizer = tokenizer;
  }

  static async load(dir: string, files: string[]): Promise<TextTokenizer> {
    const read = async (file: string) => {
      try {
        return await readFile(join(dir, file), 'utf8');
      } catch {
        throw new PackError(file, 'missing from the pack directory');
      }
    };
    const parse = (file: string, text: string): unknown => {
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new PackError(file, `not valid JSON (${(error as Error).message})`);
      }
    };
    let definition: object;
    if (files.includes('tokenizer.json')) {
      definition = parse('tokenizer.json', await read('tokenizer.json')) as object;
    } else {
      const vocab = parse('vocab.json', await read('vocab.json')) as Record<string, number>;
      definition = qwen2TokenizerDefinition(vocab, parseMerges(await read('merges.txt')));
    }
    try {
      return new TextTokenizer(new Tokenizer(definition, {}));
    } catch (error) {
      throw new PackError(files.join(' + '), `cannot build the tokenizer (${(error as Error).message})`);
    }
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Bytes of UTF-8 (after NFC) each token of `encode(text)` stands for: byte-level BPE spells one byte per character. */
  tokenByteLengths(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).tokens.map((token) => token.length);
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids);
  }
}
