import type { ScriptItem, ScriptText, SpeechScript } from '../pronunciation/script.ts';
import { sliceRuns, snapToRun } from '../pronunciation/speech-segments.ts';
import type { JobChunk } from './job-types.ts';
import { CHUNK_CHARACTERS, FIRST_CHUNK_CHARACTERS, sentencesOf } from './split-text.ts';

/** What a stretch of an SSML job bills: the input characters its runs stand for. */
const billed = (item: ScriptText) => item.source.reduce((sum, run) => sum + (run.replaces ?? run.length), 0);

/** A text item cut into its sentences (never inside a replacement), so a long `<speak>` without `<s>` still packs. */
function sentencePieces(item: ScriptText): ScriptText[] {
  const points = [...item.text];
  const cuts = [0];
  let at = 0;
  for (const sentence of sentencesOf(item.text)) {
    at += [...sentence].length;
    const cut = snapToRun(item.source, at);
    if (cut > cuts.at(-1)! && cut < points.length) cuts.push(cut);
  }
  cuts.push(points.length);
  return cuts.slice(0, -1).map((from, i) => ({ ...item, text: points.slice(from, cuts[i + 1]).join(''), source: sliceRuns(item.source, from, cuts[i + 1]!) }));
}

/** Where an item's source starts in the document (a pause has none). */
const sourceStart = (item: ScriptItem) => (item.kind === 'text' ? Math.min(...item.source.map((run) => run.input_start)) : undefined);

/**
 * Splits an SSML job's script (or plain text's with inline tags) as plain text is split (split-text.ts): whole sentences packed into
 * chunks, the first short. A chunk's text is the stretch of the document from its first words to
 * the next chunk's (markup and all, so the chunks cover the document exactly and offsets stay
 * true); its script's runs point into that stretch. A pause goes with the sentence before it.
 */
export function splitJobScript(document: string, script: SpeechScript): JobChunk[] {
  const pieces = script.items.flatMap((item): ScriptItem[] => (item.kind === 'text' ? sentencePieces(item) : [item]));
  const groups: { items: ScriptItem[]; characters: number }[] = [];
  for (const piece of pieces) {
    const current = groups.at(-1);
    const characters = piece.kind === 'text' ? billed(piece) : 0;
    const limit = groups.length <= 1 ? FIRST_CHUNK_CHARACTERS : CHUNK_CHARACTERS;
    const speaks = piece.kind === 'text' && piece.text.trim().length > 0;
    if (!current || (speaks && current.characters > 0 && current.characters + characters > limit)) groups.push({ items: [piece], characters });
    else {
      current.items.push(piece);
      current.characters += characters;
    }
  }
  const points = [...document];
  const starts = groups.map((group, i) => (i === 0 ? 0 : sourceStart(group.items.find((item) => item.kind === 'text')!)!));
  return groups.map((group, index) => {
    const start = starts[index]!;
    const end = starts[index + 1] ?? points.length;
    const items = group.items.map((item): ScriptItem => (item.kind === 'text' ? { ...item, source: item.source.map((run) => ({ ...run, input_start: run.input_start - start })) } : item));
    return { index, text: points.slice(start, end).join(''), char_offset: start, characters: group.characters, script: { items, characters: group.characters, format: script.format } };
  });
}
