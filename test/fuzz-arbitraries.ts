import fc from 'fast-check';
import { RESPONSE_FORMATS } from '../shared/schemas/speech.ts';

/**
 * Arbitraries for test/fuzz.test.ts: requests shaped like the real ones (the schemas' field
 * names) whose values are often of the wrong type or out of range, plus plain junk. ElevenLabs'
 * dialect has its own, from these pieces (fuzz-arbitraries-elevenlabs.ts).
 */

export const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export const method = fc.constantFrom(...METHODS);

/** Printable ASCII: what fetch lets through in a header value (a CR, LF or non-Latin-1 would throw client-side). */
export const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)), maxLength: 200 });

/** Any JSON value: the wrong type for whichever field it lands in. */
export const junk = fc.jsonValue({ maxDepth: 2 });

/** A field's value: one that passes, ones near the edge of its range, or anything at all. */
export const field = <T>(...values: fc.Arbitrary<T>[]) => fc.oneof(...values, junk);

/** Text: short, empty, blank, any Unicode, lone surrogates, or longer than any limit. */
export const text = fc.oneof(
  fc.constantFrom('Hi.', 'Hello there.', '', '   \n', '\u0000', '\ud800', '😀'.repeat(3)),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 100, max: 6000 }).map((n) => 'a'.repeat(n)),
);

export const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, -0, 2 ** 53, 2 ** 32));
const sampleRate = fc.oneof(fc.constantFrom(8000, 16000, 22050, 24000, 44100, 48000, 7, 0, -8000, 24000.5), number);
export const language = fc.oneof(fc.constantFrom('en', 'de', 'pt-BR', 'xx', 'EN-us', 'e', 'en--', 'zzz-12345678'), fc.string({ maxLength: 12 }));
export const seed = fc.oneof(fc.constantFrom(0, 42, 2 ** 32 - 1, 2 ** 32, -1, 1.5), number);
export const shortString = fc.string({ maxLength: 20 });

/** SSML: well-formed and not, nested, with entities and elements outside the subset. */
export const ssml = fc.oneof(
  fc.constantFrom(
    '<speak>Hi <break time="300ms"/> there.</speak>',
    '<speak><s>One <sub alias="two">2</sub>.</s><p><prosody rate="fast">Fast</prosody></p></speak>',
    '<speak><phoneme alphabet="ipa" ph="ˈblɪkɪt">blicket</phoneme> <say-as interpret-as="cardinal">42</say-as></speak>',
    '<speak>Hello <audio src="x"/></speak>',
    '<speak>unclosed <s>tag</speak>',
    '<speak><break time="forever"/></speak>',
    '<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY a "aaaa">]><speak>&a;</speak>',
    '<speak>&unknown; &amp; &#x41; &#0;</speak>',
  ),
  fc.integer({ min: 1, max: 200 }).map((depth) => `<speak>${'<s>'.repeat(depth)}deep${'</s>'.repeat(depth)}</speak>`),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((inner) => `<speak>${inner}</speak>`),
);
/** Dictionary locators: the right shape with unknown ids, too many, or junk. */
export const dictionaryLocators = fc.oneof(
  fc.array(fc.record({ id: field(fc.constantFrom('pd_000000000000000000000000', ''), shortString), version: field(fc.constantFrom(1, 0, -1, 1.5)) }, { requiredKeys: [] }), { maxLength: 5 }),
  junk,
);

/** Some fields of a schema, never all required: missing fields are half the fun. */
export const someOf = (fields: Record<string, fc.Arbitrary<unknown>>) => fc.record(fields, { requiredKeys: [] });

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
  input_format: field(fc.constantFrom('text', 'ssml', 'SSML', '')),
  pronunciation_dictionaries: dictionaryLocators,
}), someOf({ input: field(ssml), input_format: field(fc.constantFrom('ssml', 'text')), language: field(language), stream_format: field(fc.constantFrom('audio', 'sse')) }));

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
 * Bearer strings shaped like client tokens (`tkn_<account id>.<64 hex>`) that no edge signed.
 * `{account}` stands for an account that exists (the test fills it in): such a token reaches that
 * account's object and is refused there; the others are refused on their shape, or by an object
 * that has no account.
 */
export const forgedClientToken = fc.oneof(
  hex(64).map((h) => `tkn_{account}.${h}`),
  fc.tuple(hex(32), hex(64)).map(([account, h]) => `tkn_acct_${account}.${h}`),
  fc.tuple(fc.integer({ min: 1, max: 4000 }), hex(64)).map(([n, h]) => `tkn_acct_${'f'.repeat(n)}.${h}`),
  fc.constantFrom(47, 49).chain((n) => hex(n).map((h) => `tkn_{account}.${h}`)),
  hex(64).map((h) => `tkn_{account}.${h.toUpperCase()}`),
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

/** A job that should be accepted (short: the fuzz's stack has one worker), or some fields of one. */
export const jobJson = fc.oneof(
  fc.record(
    {
      input: fc.constantFrom('A job. Of two sentences.', 'Hello there.'),
      response_format: fc.constantFrom('mp3', 'wav', 'aac', 'opus', 'flac'),
      voice: fc.constantFrom('en-female', 'en-male'),
      metadata: fc.constantFrom({ book: 'one' }, {}),
    },
    { requiredKeys: ['input'] },
  ),
  someOf({
    model: field(fc.constantFrom('espeak', 'qwen3', ''), shortString),
    input: field(text),
    voice: field(fc.constantFrom('en-female', 'alloy', 'voice_000000000000000000000000', ''), shortString),
    response_format: field(fc.constantFrom('mp3', 'wav', 'flac', 'pcm'), shortString),
    sample_rate: field(sampleRate),
    speed: field(fc.constantFrom(0.25, 1, 4, 0), number),
    language: field(language),
    webhook_url: field(fc.constantFrom('https://example.com/hook', 'http://127.0.0.1:1/hook', 'ftp://x', 'https://user:pw@example.com/', ''), shortString),
    metadata: field(fc.dictionary(shortString, shortString)),
    seed: field(seed),
  }),
);

/** A pronunciation rule that should pass, or some fields of one: phonemes valid and not, alphabets taken and not. */
const pronunciationRule = fc.oneof(
  fc.constantFrom(
    { type: 'alias', string_to_replace: 'SQL', alias: 'sequel' },
    { type: 'phoneme', string_to_replace: 'tomato', phoneme: 'təˈmeɪtoʊ', alphabet: 'ipa' },
    { type: 'phoneme', string_to_replace: 'colour', phoneme: '"kVl@`', alphabet: 'x-sampa', case_sensitive: false, word_boundaries: false },
  ),
  someOf({
    type: field(fc.constantFrom('alias', 'phoneme'), shortString),
    string_to_replace: field(text),
    alias: field(text),
    phoneme: field(fc.constantFrom('təˈmeɪtoʊ', '"kVl@`', 'k$', '', '   '), text),
    alphabet: field(fc.constantFrom('ipa', 'x-sampa', 'arpabet', 'IPA')),
    case_sensitive: field(fc.boolean()),
    word_boundaries: field(fc.boolean()),
  }),
);
const pronunciationRules = fc.oneof(fc.array(pronunciationRule, { maxLength: 4 }), fc.constant([]));

/** The bodies of the pronunciation dictionary routes: one that should pass, or some fields of any of them. */
export const dictionaryJson = fc.oneof(
  fc.record({ name: fc.constantFrom('Tech words', 'Names'), rules: fc.array(pronunciationRule, { minLength: 1, maxLength: 3 }) }),
  fc.record({ rule_strings: fc.array(fc.constantFrom('SQL', 'tomato', 'nowhere'), { minLength: 1, maxLength: 3 }) }),
  someOf({ name: field(text), description: field(text), rules: field(pronunciationRules), rule_strings: field(fc.array(fc.oneof(fc.constant('SQL'), shortString), { maxLength: 3 })) }),
);

const PLS_LEXICON = (body: string) => `<?xml version="1.0"?><lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en">${body}</lexicon>`;
/** A PLS file for `POST /v1/pronunciation-dictionaries`: one that imports, broken and hostile ones, or bytes. */
export const plsFile = fc.oneof(
  fc.constantFrom(
    PLS_LEXICON('<lexeme><grapheme>SQL</grapheme><alias>sequel</alias></lexeme><lexeme><grapheme>tomato</grapheme><phoneme>təˈmeɪtoʊ</phoneme></lexeme>'),
    PLS_LEXICON('<lexeme><grapheme>SQL</grapheme></lexeme>'),
    PLS_LEXICON('<lexeme><grapheme>SQL</grapheme><alias>sequel</lexeme>'),
    PLS_LEXICON('<lexeme><grapheme>x</grapheme><phoneme alphabet="x-sampa">k$</phoneme></lexeme>'),
    `<?xml version="1.0"?><!DOCTYPE lexicon [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${PLS_LEXICON('<lexeme><grapheme>&b;</grapheme><alias>x</alias></lexeme>')}`,
  ),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 512 }),
);
