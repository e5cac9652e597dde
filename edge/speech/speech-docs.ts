import { AUDIO_HEADERS, WORKER_TIMINGS } from '../../shared/protocol/worker-api.ts';
import { LIMIT_HEADERS } from '../middleware/limits.ts';
import { documentHeaders, REQUEST_ID_HEADERS } from '../openapi/index.ts';
import { ADMISSION } from '../middleware/admission-timing.ts';

/** What each of AUDIO_HEADERS says (keyed the same way, so a new header needs its description). */
const AUDIO_HEADER_DESCRIPTIONS: Record<keyof typeof AUDIO_HEADERS, string> = {
  model: 'The model that speaks (an OpenAI name resolved to a served model).',
  voice: 'The voice that speaks.',
  language: 'The language spoken (the first, when detected).',
  detectedLanguages: 'When the language came from the text: the languages spoken, in order (`en,de`).',
  notHonored: 'Markup the model could not say as asked, said as plain text instead: each stretch as `kind start-end` in characters of `input` (`phoneme 12-21, emphasis 30-44`). Absent when everything was honoured.',
  sampleRate: 'Hz.',
  format: 'With `stream_format: "sse"`: the audio format inside the events.',
  cache: '`hit`: served from the audio cache, no model ran (charged at the operator\'s hit price); `miss`: rendered, and stored for the next identical request; `off`: not cached (`cache: "off"`, the account\'s setting, or a model whose rendering is not deterministic). docs/cache.md.',
  modelVersion: 'The version of the model pack that made the audio (for a hit: the one that made it first).',
};
const audioHeaders = Object.entries(AUDIO_HEADERS).map(([key, name]) => [name, AUDIO_HEADER_DESCRIPTIONS[key as keyof typeof AUDIO_HEADERS]]);
const serverTiming = `\`${ADMISSION}\` (the edge: key, limits, credits, checks), \`${WORKER_TIMINGS.queue}\` (waiting for a slot on the worker) and \`${WORKER_TIMINGS.firstAudio}\` (the worker: arrival to first audio), ms.`;

/** The headers of a speech answer: what was spoken and how, timings, and the account's limits. */
export const SPEECH_RESPONSE_HEADERS = {
  ...REQUEST_ID_HEADERS,
  ...documentHeaders({ ...Object.fromEntries(audioHeaders), 'server-timing': serverTiming }),
  ...LIMIT_HEADERS,
};
