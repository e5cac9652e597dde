import fc from 'fast-check';
import { ELEVENLABS_OUTPUT_FORMATS } from '../edge/dialects/elevenlabs/speech/output-format.ts';
import { clipBytes, field, junk, language, number, queryOf, seed, segment, shortString, someOf, text } from './fuzz-arbitraries.ts';

/**
 * Arbitraries for test/fuzz.test.ts in ElevenLabs' dialect (edge/dialects/elevenlabs/, under
 * /elevenlabs): its field names and values, right and wrong, as its SDK and clients in the wild
 * send them. Built from the shared pieces of fuzz-arbitraries.ts.
 */

/** A `{voice_id}`: our presets, an own voice's shape no one has, ElevenLabs' own ids (unknown here), any segment. */
export const elevenLabsVoiceId = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('en-female', 'en-male') },
  { weight: 2, arbitrary: fc.constantFrom('alloy', 'voice_000000000000000000000000', '21m00Tcm4TlvDq8ikWAM', 'JBFqnCBsd6RMkjVDRZzb', 'EN-FEMALE') },
  { weight: 1, arbitrary: segment },
);

/** `output_format`: every value ElevenLabs offers, near misses, junk. */
export const elevenLabsOutputFormat = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ELEVENLABS_OUTPUT_FORMATS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('mp3_44100', 'mp3_44100_320', 'mp3_44100_128 ', 'pcm_24000_128', 'pcm_11025', 'wav', 'ulaw_16000', 'opus_24000_32', 'MP3_44100_128', 'aac_44100_128', 'flac_44100', 'mp3_1_2', ''),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** A query string of `names` with ElevenLabs' `output_format` among them most of the time (encoded as a client would). */
export const elevenLabsQuery = (names: string[]) =>
  fc
    .tuple(fc.option(elevenLabsOutputFormat, { nil: undefined, freq: 4 }), queryOf(names))
    .map(([format, rest]) => {
      const pairs = [...(format === undefined ? [] : [`output_format=${encodeURIComponent(format)}`]), ...(rest ? rest.slice(1).split('&') : [])];
      return pairs.length ? `?${pairs.join('&')}` : '';
    });

/** `model_id`: ElevenLabs' models (mapped to ours), ours as they are, unknown, empty. */
export const elevenLabsModelId = fc.constantFrom('eleven_multilingual_v2', 'eleven_flash_v2_5', 'eleven_turbo_v2_5', 'eleven_v3', 'eleven_monolingual_v1', 'espeak', 'qwen3', 'tts-1', 'eleven_nope', '');

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const nullable = <T>(value: fc.Arbitrary<T>) => fc.oneof(value, fc.constant(null));

/** `voice_settings`: `speed` applied (0.25 to 4 here), the rest accepted; wrong types and ranges too. */
const voiceSettings = someOf({
  speed: field(fc.constantFrom(0.7, 1, 1.2, 0.25, 4, 0.24, 4.01, 0, -1), nullable(number)),
  stability: field(nullable(unit)),
  similarity_boost: field(nullable(unit)),
  style: field(nullable(unit)),
  use_speaker_boost: field(nullable(fc.boolean())),
});

/** A speech body that should pass: without it, ElevenLabs' speech path is rarely reached. */
export const validElevenLabsSpeechJson = fc.record(
  {
    text: fc.constantFrom('Hi.', 'Hello there.', 'Ok'),
    model_id: fc.constantFrom('eleven_multilingual_v2', 'eleven_flash_v2_5', 'espeak'),
    voice_settings: fc.record({ speed: fc.double({ min: 0.7, max: 1.2, noNaN: true }), stability: unit, similarity_boost: unit }, { requiredKeys: [] }),
    language_code: fc.constant('en'),
    seed: fc.nat({ max: 2 ** 32 - 1 }),
  },
  { requiredKeys: ['text'] },
);

/** The body of `POST /v1/text-to-speech/{voice_id}` and its variants: every field, of the right type or not, in range or not. */
export const elevenLabsSpeechJson = fc.oneof(
  validElevenLabsSpeechJson,
  someOf({
    text: field(text, fc.constant(null)),
    model_id: field(nullable(elevenLabsModelId), shortString),
    language_code: field(nullable(language)),
    voice_settings: field(nullable(voiceSettings)),
    seed: field(nullable(seed)),
    previous_text: field(nullable(text)),
    next_text: field(nullable(text)),
    previous_request_ids: field(fc.array(shortString, { maxLength: 4 })),
    next_request_ids: field(fc.array(shortString, { maxLength: 4 })),
    pronunciation_dictionary_locators: field(fc.array(someOf({ pronunciation_dictionary_id: field(shortString), version_id: field(nullable(shortString)) }), { maxLength: 4 })),
    use_pvc_as_ivc: field(fc.boolean()),
    apply_text_normalization: field(fc.constantFrom('auto', 'on', 'off', 'ON'), shortString),
    apply_language_text_normalization: field(fc.boolean()),
    audio_effects: field(
      someOf({
        filter_preset_id: field(nullable(shortString)),
        environment_id: field(nullable(shortString)),
        background_noise_id: field(nullable(shortString)),
        distance: field(fc.constantFrom(0, 1), nullable(number)),
        pan: field(fc.constantFrom(0, -1), nullable(number)),
        send_level: field(nullable(number)),
        seed: field(nullable(seed)),
      }),
    ),
  }),
);

/** Bodies of `POST /v1/text-to-voice/design` (and `/create-previews`) and `POST /v1/text-to-voice`. `{preview}` stands for a preview designed before the run. */
export const elevenLabsDesignJson = fc.oneof(
  fc.record({ voice_description: fc.constantFrom('A warm, low voice.', 'A bright young voice.'), text: fc.constantFrom('Hello there, how are you today?', 'Ok') }, { requiredKeys: ['voice_description'] }),
  someOf({
    voice_description: field(text),
    model_id: field(elevenLabsModelId, fc.constant('eleven_multilingual_ttv_v2')),
    text: field(text),
    auto_generate_text: field(fc.boolean()),
    seed: field(seed),
    reference_audio_base64: field(shortString),
    loudness: field(number),
    guidance_scale: field(number),
    should_enhance: field(fc.boolean()),
    stream_previews: field(fc.boolean()),
  }),
);
export const elevenLabsSaveVoiceJson = fc.oneof(
  fc.record({ voice_name: fc.constantFrom('Designed', 'Another'), voice_description: fc.constant('A warm, low voice.'), generated_voice_id: fc.constant('{preview}') }),
  someOf({
  voice_name: field(fc.constantFrom('Designed', '', 'x'.repeat(101)), text),
  voice_description: field(fc.constantFrom('A warm, low voice.'), text),
  generated_voice_id: field(fc.constantFrom('{preview}', '{preview}', 'voice_000000000000000000000000', ''), shortString),
  labels: field(fc.dictionary(shortString, nullable(shortString), { maxKeys: 3 })),
  played_not_selected_voice_ids: field(fc.array(shortString, { maxLength: 3 })),
  }),
);

/** A file part: a real clip (`{clip}`, made before the run) or random bytes, of any type and name. */
const voiceFile = fc.record({
  bytes: fc.oneof({ weight: 1, arbitrary: fc.constant('{clip}' as const) }, { weight: 3, arbitrary: clipBytes }),
  type: fc.constantFrom('audio/wav', 'audio/mpeg', 'application/octet-stream', 'text/plain', ''),
  name: fc.constantFrom('clip.wav', 'a.mp3', '', 'x'),
});

/**
 * The multipart body of `POST /v1/voices/add` (`name`, `files`, `description`, `labels`,
 * `remove_background_noise`), as a recipe: the test builds the FormData once `{clip}` exists.
 * Fields are often missing (no name, no files), of the wrong kind (files as text) or out of range.
 */
export interface ElevenLabsAddVoiceForm {
  name?: string;
  description?: string;
  labels?: string;
  remove_background_noise?: string;
  files: Array<{ bytes: Uint8Array | '{clip}'; type: string; name: string }>;
  /** A `files` part that is text, not a file. */
  filesAsText?: string;
}
export const elevenLabsAddVoiceForm: fc.Arbitrary<ElevenLabsAddVoiceForm> = fc.oneof(
  // One that should pass: the real clip, after a file that is not audio at times (the next file is tried).
  fc.record({ name: fc.constant('Narrator'), files: fc.array(voiceFile, { maxLength: 1 }).map((before) => [...before, { bytes: '{clip}' as const, type: 'audio/wav', name: 'clip.wav' }]) }),
  fc.record(
  {
    name: fc.oneof(fc.constantFrom('Narrator', '', ' ', 'x'.repeat(101)), fc.string({ maxLength: 30 })),
    description: fc.oneof(fc.constantFrom('A calm narrator.', ''), fc.string({ maxLength: 30 })),
    labels: fc.oneof(fc.constantFrom('{"language":"en"}', '{"language":"English"}', '{"accent":"british"}', '{"language":1}', 'not json', '[]', 'null'), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))),
    remove_background_noise: fc.constantFrom('true', 'false', 'yes'),
    files: fc.array(voiceFile, { maxLength: 3 }),
    filesAsText: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: ['files'] },
  ),
);

/** A message a client sends on ElevenLabs' speech sockets: its fields, right and wrong, or not JSON at all. `{key}`/`{token}` stand for credentials. */
const socketText = fc.oneof(fc.constantFrom(' ', '', 'Hello there. ', 'Hi', 'and then', '   \n', '😀'), fc.string({ maxLength: 40 }));
export const elevenLabsSocketMessage: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  // As clients send them: text (opening with " "), flushes, contexts opened and closed.
  {
    weight: 12,
    arbitrary: fc
      .record(
        {
          text: fc.constantFrom(' ', 'Hello there. ', 'Hi', 'and then some more. ', ''),
          flush: fc.boolean(),
          try_trigger_generation: fc.boolean(),
          context_id: fc.constantFrom('a', 'b'),
          close_context: fc.boolean(),
          voice_settings: fc.record({ speed: fc.double({ min: 0.7, max: 1.2, noNaN: true }), stability: unit }, { requiredKeys: [] }),
          generation_config: fc.record({ chunk_length_schedule: fc.array(fc.integer({ min: 50, max: 500 }), { minLength: 1, maxLength: 4 }) }),
        },
        { requiredKeys: ['text'] },
      )
      .map((message) => JSON.stringify(message)),
  },
  {
    weight: 4,
    arbitrary: someOf({
      text: field(socketText, fc.constant(null)),
      flush: field(fc.boolean()),
      try_trigger_generation: field(fc.boolean()),
      voice_settings: field(voiceSettings),
      generation_config: field(someOf({ chunk_length_schedule: field(fc.array(fc.oneof(fc.integer({ min: -10, max: 2000 }), number), { maxLength: 4 })) })),
      xi_api_key: field(fc.constantFrom('{key}', '{token}', 'sk-not-a-key', '')),
      authorization: field(fc.constantFrom('Bearer {key}', '{key}', 'Bearer {token}', 'Bearer ', 'Basic x')),
      context_id: field(fc.constantFrom('a', 'b', '', 'x'.repeat(65)), shortString),
      close_context: field(fc.boolean()),
      close_socket: field(fc.boolean()),
    }).map((message) => JSON.stringify(message)),
  },
  { weight: 1, arbitrary: junk.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('not json', '{', '')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
);

/** A query of known names and values (already URL-safe; `{...}` placeholders the test fills in), plus random ones: names may repeat. */
const knownQuery = (values: Readonly<Record<string, readonly string[]>>) =>
  fc
    .tuple(
      fc.array(
        fc.constantFrom(...Object.entries(values)).chain(([name, choices]) => fc.constantFrom(...choices).map((value) => `${name}=${value}`)),
        { maxLength: 5 },
      ),
      queryOf(Object.keys(values)),
    )
    .map(([known, random]) => {
      const pairs = [...known, ...(random ? random.slice(1).split('&') : [])];
      return pairs.length ? `?${pairs.join('&')}` : '';
    });

/** `GET /v2/voices`'s query: its parameters with values in and out of range; `{page token}` is a real `next_page_token`. */
export const elevenLabsVoiceSearchQuery = knownQuery({
  page_size: ['1', '10', '100', '0', '101', '2.5', 'ten', ''],
  next_page_token: ['{page token}', '{page token}', '', 'abc', 'eyJ4IjoxfQ'],
  search: ['female', 'Fuzz', '', 'x'.repeat(201)],
  voice_type: ['default', 'personal', 'workspace', 'non-default', 'non-community', 'saved', 'community', 'x'],
  category: ['premade', 'cloned', 'generated', 'professional', 'famous', 'high_quality', 'x'],
  gender: ['female', 'male', 'FEMALE', ''],
  language: ['en', 'de', 'EN', 'xx'],
  voice_ids: ['en-female', 'en-male', '{own voice}', 'voice_000000000000000000000000'],
  high_quality: ['true', 'false', 'yes'],
  include_total_count: ['true', 'false', 'x'],
  sort: ['created_at_unix', 'name'],
  sort_direction: ['asc', 'desc'],
  use_cases: ['narration'],
});

/** The query of ElevenLabs' speech sockets: mostly one a socket takes (so that sockets speak), else its parameters with values in and out of range. */
const validSocketQuery = fc
  .record(
    {
      output_format: fc.constantFrom('pcm_16000', 'pcm_24000', 'mp3_44100_128', 'mp3_22050_32', 'ulaw_8000', 'alaw_8000'),
      model_id: fc.constantFrom('eleven_flash_v2_5', 'eleven_multilingual_v2', 'espeak'),
      inactivity_timeout: fc.constantFrom('5', '20'),
      language_code: fc.constant('en'),
      auto_mode: fc.constantFrom('true', 'false'),
      sync_alignment: fc.constantFrom('true', 'false'),
    },
    { requiredKeys: [] },
  )
  .map((query) => {
    const search = new URLSearchParams(query).toString();
    return search ? `?${search}` : '';
  });
export const elevenLabsSocketQuery = fc.oneof({ weight: 3, arbitrary: validSocketQuery }, { weight: 2, arbitrary: knownQuery({
  model_id: ['eleven_flash_v2_5', 'eleven_multilingual_v2', 'espeak', 'eleven_nope', ''],
  output_format: [...ELEVENLABS_OUTPUT_FORMATS, 'mp3_1_2', 'wav', ''],
  inactivity_timeout: ['1', '5', '20', '180', '0', '181', '2.5', 'x', ''],
  language_code: ['en', 'de', 'xx', 'EN', ''],
  auto_mode: ['true', 'false', 'TRUE', 'x'],
  sync_alignment: ['true', 'false'],
  enable_logging: ['true', 'false'],
  enable_ssml_parsing: ['true'],
  apply_text_normalization: ['auto', 'on', 'off', 'x'],
  seed: ['1', 'x'],
}) });
