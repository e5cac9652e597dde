import fc from 'fast-check';
import { ELEVENLABS_OUTPUT_FORMATS } from '../edge/dialects/elevenlabs/speech/output-format.ts';
import { RESPONSE_FORMATS } from '../shared/schemas/speech.ts';

/**
 * Arbitraries for test/fuzz.test.ts: requests shaped like the real ones (the schemas' field
 * names) whose values are often of the wrong type or out of range, plus plain junk.
 */

export const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export const method = fc.constantFrom(...METHODS);

/** Printable ASCII: what fetch lets through in a header value (a CR, LF or non-Latin-1 would throw client-side). */
export const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)), maxLength: 200 });

/** Any JSON value: the wrong type for whichever field it lands in. */
const junk = fc.jsonValue({ maxDepth: 2 });

/** A field's value: one that passes, ones near the edge of its range, or anything at all. */
const field = <T>(...values: fc.Arbitrary<T>[]) => fc.oneof(...values, junk);

/** Text: short, empty, blank, any Unicode, lone surrogates, or longer than any limit. */
export const text = fc.oneof(
  fc.constantFrom('Hi.', 'Hello there.', '', '   \n', '\u0000', '\ud800', '😀'.repeat(3)),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 100, max: 6000 }).map((n) => 'a'.repeat(n)),
);

const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, -0, 2 ** 53, 2 ** 32));
const sampleRate = fc.oneof(fc.constantFrom(8000, 16000, 22050, 24000, 44100, 48000, 7, 0, -8000, 24000.5), number);
const language = fc.oneof(fc.constantFrom('en', 'de', 'pt-BR', 'xx', 'EN-us', 'e', 'en--', 'zzz-12345678'), fc.string({ maxLength: 12 }));
const seed = fc.oneof(fc.constantFrom(0, 42, 2 ** 32 - 1, 2 ** 32, -1, 1.5), number);
const shortString = fc.string({ maxLength: 20 });

/** Some fields of a schema, never all required: missing fields are half the fun. */
const someOf = (fields: Record<string, fc.Arbitrary<unknown>>) => fc.record(fields, { requiredKeys: [] });

/** A speech request that should pass: without it, successes are too rare to exercise the streaming path. */
export const validSpeechJson = fc.record(
  {
    input: fc.constantFrom('Hi.', 'Hello there.', 'Ok'),
    response_format: fc.constantFrom(...RESPONSE_FORMATS),
    stream_format: fc.constantFrom('audio', 'sse'),
    speed: fc.double({ min: 0.25, max: 4, noNaN: true }),
    voice: fc.constantFrom('en-female', 'en-male'),
    language: fc.constant('en'),
  },
  { requiredKeys: ['input'] },
);

export const speechJson = fc.oneof(validSpeechJson, someOf({
  model: field(fc.constantFrom('espeak', 'qwen3', 'tts-1', ''), shortString),
  input: field(text),
  voice: field(fc.constantFrom('en-female', 'en-male', 'alloy', 'voice_000000000000000000000000', ''), shortString),
  instructions: field(text),
  response_format: field(fc.constantFrom(...RESPONSE_FORMATS), shortString),
  sample_rate: field(sampleRate),
  speed: field(fc.constantFrom(0.25, 1, 4, 0.24, 4.01, 0, -1), number),
  stream_format: field(fc.constantFrom('audio', 'sse'), shortString),
  language: field(language),
  seed: field(seed),
}));

export const designJson = someOf({
  description: field(text),
  name: field(text),
  language: field(language),
  model: field(fc.constantFrom('espeak', 'qwen3', ''), shortString),
  preview_text: field(text),
  preview: field(fc.boolean()),
  seed: field(seed),
});

const limits = someOf({
  requests_per_minute: field(number),
  characters_per_minute: field(number),
  concurrent_streams: field(number),
  max_voices: field(number),
});

/** The bodies of POST /admin/accounts, /admin/accounts/{id}/keys and /admin/accounts/{id}/credits. */
export const adminJson = fc.oneof(
  someOf({ name: field(text), credits: field(number), limits: field(limits) }),
  someOf({
    scopes: field(fc.subarray(['speech', 'voices', 'usage', 'admin', '']), fc.array(shortString, { maxLength: 3 })),
    expires_at: field(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('2020-01-01T00:00:00Z', 'tomorrow', '')),
  }),
  someOf({ amount: field(number, fc.constant(0)), reason: field(text) }),
);

/** Lowercase hex digits, as client tokens carry them. */
const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

/** An `Origin` header or an `allowed_origins` entry: exact origins, near misses (path, case, default port, wildcard), junk. */
export const origin = fc.oneof(
  fc.constantFrom('https://app.example', 'http://localhost:5173'),
  fc.constantFrom('https://app.example/', 'HTTPS://APP.EXAMPLE', 'https://app.example:443', 'https://*.example', 'http://[::1]:8080', 'null', '', 'ftp://app.example'),
  headerValue,
);

/** A POST /v1/tokens body that should mostly pass (within what the stack's key and worker allow). */
const validTokenRequest = fc.record(
  {
    ttl_seconds: fc.integer({ min: 1, max: 86_400 }),
    max_characters: fc.integer({ min: 1, max: 100_000 }),
    max_requests: fc.integer({ min: 1, max: 100 }),
    models: fc.subarray(['espeak', 'tts-1'], { minLength: 1 }),
    voices: fc.subarray(['en-female', 'en-male', 'alloy'], { minLength: 1 }),
    scopes: fc.subarray(['speech', 'realtime', 'voices:read'], { minLength: 1 }),
    allowed_origins: fc.subarray(['https://app.example', 'http://localhost:5173'], { minLength: 1 }),
    single_use: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** Model or voice names: served ones, OpenAI aliases, unknown, empty, too long, a custom voice id no one has. */
const nameList = (served: string[]) =>
  fc.array(fc.oneof(fc.constantFrom(...served, 'nope', '', 'x'.repeat(129), 'voice_000000000000000000000000'), shortString), { maxLength: 4 });

/** The body of POST /v1/tokens: every field, each of the right type or not, in range or not; sometimes fields it does not know. */
export const tokenRequestJson = fc
  .tuple(
    fc.oneof(
      validTokenRequest,
      someOf({
        ttl_seconds: field(fc.constantFrom(1, 600, 86_400, 86_401, 0, -1, 1.5), number),
        max_characters: field(fc.constantFrom(1, 100, 100_000_000, 100_000_001, 0, -1, 2.5), number),
        max_requests: field(fc.constantFrom(1, 2, 1_000_000, 1_000_001, 0, -1), number),
        models: field(nameList(['espeak', 'qwen3', 'tts-1', 'gpt-4o-mini-tts']), fc.array(fc.constant('espeak'), { minLength: 21, maxLength: 21 }), fc.constant<string[]>([])),
        voices: field(nameList(['en-female', 'en-male', 'alloy']), fc.array(fc.constant('en-male'), { minLength: 101, maxLength: 101 }), fc.constant<string[]>([])),
        scopes: field(fc.subarray(['speech', 'realtime', 'voices:read']), fc.array(fc.constantFrom('speech', 'voices', 'usage', 'tokens', 'admin', 'SPEECH', ''), { maxLength: 3 })),
        allowed_origins: field(fc.array(origin, { maxLength: 3 }), fc.constant(null), fc.array(fc.constant('https://app.example'), { minLength: 51, maxLength: 51 })),
        single_use: field<unknown>(fc.boolean(), fc.constantFrom('true', 1)),
      }),
    ),
    fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(shortString, junk, { maxKeys: 2 }) }),
  )
  .map(([fields, unknown]) => ({ ...unknown, ...fields }));

/**
 * Bearer strings shaped like client tokens (`tkn_<account id>.<48 hex>`) that no one minted.
 * `{account}` stands for an account that exists (the test fills it in): such a token reaches that
 * account's object and is refused there; the others are refused on their shape, or by an object
 * that has no account.
 */
export const forgedClientToken = fc.oneof(
  hex(48).map((h) => `tkn_{account}.${h}`),
  fc.tuple(hex(32), hex(48)).map(([account, h]) => `tkn_acct_${account}.${h}`),
  fc.tuple(fc.integer({ min: 1, max: 4000 }), hex(48)).map(([n, h]) => `tkn_acct_${'f'.repeat(n)}.${h}`),
  fc.constantFrom(47, 49).chain((n) => hex(n).map((h) => `tkn_{account}.${h}`)),
  hex(48).map((h) => `tkn_{account}.${h.toUpperCase()}`),
  fc.constantFrom('tkn_', 'tkn_.', 'tkn_acct_.', 'tkn_{account}.', 'tkn_{account}', 'tkn_acct_x.0', 'TKN_{account}.'),
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((n) => String.fromCharCode(n)), maxLength: 80 }).map((rest) => `tkn_${rest}`),
);

const load = someOf({ active: field(number), queued: field(number), ttfa_ms: field(number, fc.constant(null)) });

/**
 * A worker's heartbeat. Its `url` never names a worker that exists, and its models are never
 * valid: a heartbeat that passed must not put a real-looking member into the pool the other
 * properties use.
 */
export const heartbeatJson = someOf({
  worker_id: field(shortString),
  url: field(fc.constantFrom('http://127.0.0.1:9/', 'not a url', 'ftp://x', '')),
  version: field(shortString),
  models: field(fc.constant<unknown[]>([]), fc.array(junk, { maxLength: 2 })),
  capacity: field(number),
  load: field(load),
  draining: field(fc.boolean()),
  leaving: field(fc.boolean()),
  interval_ms: field(number),
});

const validSynthesis = fc.record({
  request_id: fc.uuid(),
  model: fc.constant('espeak'),
  voice: fc.constantFrom('en-female', 'en-male'),
  language: fc.constant('en'),
  input: fc.constantFrom('Hi.', 'Ok'),
  response_format: fc.constantFrom(...RESPONSE_FORMATS),
  speed: fc.double({ min: 0.25, max: 4, noNaN: true }),
});

export const synthesisJson = fc.oneof(validSynthesis, someOf({
  request_id: field(fc.uuid(), shortString),
  model: field(fc.constantFrom('espeak', ''), shortString),
  voice: field(fc.constantFrom('en-female', 'en-male', ''), shortString),
  voice_profile: junk,
  language: field(language),
  input: field(text),
  segments: field(fc.array(someOf({ text: field(text), language: field(language) }), { maxLength: 3 })),
  instructions: field(text),
  response_format: field(fc.constantFrom(...RESPONSE_FORMATS), shortString),
  sample_rate: field(sampleRate),
  speed: field(fc.constantFrom(0.25, 1, 4, 0.1, 5), number),
  seed: field(seed),
  resume_at_byte: field(fc.constantFrom(0, 44, 1_000_000, -1), number),
}));

export const workerDesignJson = someOf({
  request_id: field(fc.uuid(), shortString),
  model: field(fc.constantFrom('espeak', ''), shortString),
  description: field(text),
  language: field(language),
  preview_text: field(text),
  seed: field(seed),
});

/** Bytes that might be a clip: junk, or a RIFF/WAVE header over junk. */
export const clipBytes = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }),
  fc.uint8Array({ maxLength: 4096 }).map((rest) => new Uint8Array([...new TextEncoder().encode('RIFF\u0000\u0000\u0000\u0000WAVEfmt '), ...rest])),
);

/** A body for a route whose schema `json` describes: mostly shaped JSON, sometimes anything. */
export const bodyOf = (json: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: json.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: junk.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
    // Over the edge's 64 KiB limits, within reason.
    { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 100_000 }).map((n) => `{"input":"${'a'.repeat(n)}"}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

export const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'multipart/form-data',
      'multipart/form-data; boundary=xyz',
      'audio/wav',
    ),
    headerValue,
  ),
  { nil: undefined },
);

/** One path segment: random text (encoded), or raw oddities such as a broken percent escape. */
export const segment = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F', '..', '.', '', 'voice_000000000000000000000000', 'a'.repeat(300)),
);

/** A query string from a route's parameter names (and random ones), with random values. */
export const queryOf = (names: string[]) =>
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...names), shortString), fc.oneof(segment, fc.string({ maxLength: 12 }).map(encodeURIComponent))), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')}` : ''));

/** A token id for GET/DELETE /v1/tokens/{id}: well-formed but no one's, nearly well-formed, or any path segment. */
export const tokenIdSegment = fc.oneof(
  hex(24).map((h) => `tok_${h}`),
  fc.constantFrom(`tok_${'0'.repeat(23)}`, `tok_${'0'.repeat(25)}`, `TOK_${'0'.repeat(24)}`, `tok_${'G'.repeat(24)}`, 'tok_', 'tkn_'),
  segment,
);

/*
 * ElevenLabs' dialect (edge/dialects/elevenlabs/, under /elevenlabs): its field names and values,
 * right and wrong, as its SDK and clients in the wild send them.
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
