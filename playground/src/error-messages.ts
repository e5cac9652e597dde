import { ApiFailure } from './api.ts';

/**
 * What went wrong, in a sentence a person reads: the API's `error.code` values (README "Errors",
 * docs/billing.md, docs/voices.md) mapped to words. An unknown code falls back to the API's own
 * message, which is a sentence too.
 */
type Sentence = string | ((failure: ApiFailure) => string);

const wait = (seconds: number | undefined) =>
  seconds === undefined ? 'in a moment' : `in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
/** The sentence, then the API's message where it names specifics (the models that can, the limit). */
const withDetail = (sentence: string) => (failure: ApiFailure) => `${sentence} ${failure.message}`;

const CLIP_ADVICE = 'Record or choose 3 to 30 seconds of one person speaking clearly.';
const NEW_KEY = 'Paste another key and save it.';

const SENTENCES: Record<string, Sentence> = {
  // The key
  missing_api_key: 'Paste your API key at the top of the page and save it.',
  invalid_api_key: `This API key is not valid. Check that it was pasted whole, or ${NEW_KEY.toLowerCase()}`,
  revoked_api_key: `This API key has been revoked. ${NEW_KEY}`,
  expired_api_key: `This API key has expired. ${NEW_KEY}`,
  missing_scope: withDetail('This API key is not allowed to do that.'),
  // The client token ("Try as a browser app"): a refused one is replaced at the next try.
  invalid_token: 'The client token is not valid any more (it or its key was revoked). A new one is minted at the next try.',
  token_expired: 'The client token has expired. A new one is minted at the next try.',
  token_exhausted: withDetail('The client token has used up what it was given.'),
  token_scope: withDetail('The client token may not do that.'),
  // Credits and limits
  insufficient_credits: withDetail('The account is out of credits for this.'),
  rate_limit_requests: (f) => `Too many requests this minute for this account. Try again ${wait(f.retryAfterSeconds)}.`,
  rate_limit_characters: (f) => `Too many characters spoken this minute for this account. Try again ${wait(f.retryAfterSeconds)}.`,
  concurrent_streams_exceeded: (f) => `The account is already playing as many streams as it may. Try again ${wait(f.retryAfterSeconds)}.`,
  input_exceeds_character_limit: withDetail('This text is longer than the account may speak in a minute.'),
  voice_quota_exceeded: withDetail('The account has as many voices as it may keep.'),
  request_id_reused: 'This request was already made once. Press Speak again.',
  // Speech
  empty_input: 'Type some text to speak.',
  input_too_long: (f) => {
    const [, characters, maximum] = f.message.match(/(\d+) characters; the maximum is (\d+)/) ?? [];
    return `The text is too long${characters ? `: ${characters} characters, and one request takes at most ${maximum}` : ''}. Split it and speak it in parts.`;
  },
  body_too_large: 'The request is too large to send.',
  model_not_found: withDetail('That model is not served right now.'),
  voice_not_found: 'That voice does not exist (any more) for this model. Pick another voice.',
  voice_incompatible: withDetail('That voice cannot be used with this model.'),
  unsupported_language: withDetail('The chosen model does not speak that language.'),
  unsupported_sample_rate: withDetail('That sample rate is not offered for this format.'),
  invalid_parameter: withDetail('A setting is not valid:'),
  invalid_json: 'The request could not be read by the server.',
  // Pronunciation: the API's message names the element or the dictionary, and where.
  invalid_ssml: withDetail('The SSML is not valid, so nothing was spoken.'),
  pronunciation_dictionary_not_found: withDetail('A chosen pronunciation dictionary does not exist (any more). Refresh the list and choose again.'),
  pronunciation_dictionary_version_not_found: withDetail('That version of the dictionary does not exist. Clear the version to use its latest.'),
  invalid_pls: withDetail('That file is not a PLS lexicon the server can read.'),
  // Jobs
  unsupported_file_type: withDetail('That file cannot be read as text.'),
  job_not_found: 'That job does not exist for this account (or it was deleted).',
  job_not_ready: withDetail('That job has no file.'),
  // Workers
  no_worker_available: (f) => `No speech worker is available right now. Try again ${wait(f.retryAfterSeconds)}.`,
  pool_saturated: (f) => `Every speech worker is too busy to start this in time, so it was not queued. Try again ${wait(f.retryAfterSeconds)}.`,
  worker_busy: (f) => `Every speech worker is busy. Try again ${wait(f.retryAfterSeconds)}.`,
  worker_draining: (f) => `The speech worker is restarting. Try again ${wait(f.retryAfterSeconds)}.`,
  worker_not_ready: (f) => `The speech worker is still starting up. Try again ${wait(f.retryAfterSeconds)}.`,
  worker_error: 'The speech worker failed. Try again.',
  worker_failed: 'The speech worker failed mid-way. Try again.',
  synthesis_failed: 'The speech worker could not speak this text. Try again or change the text.',
  voice_failed: 'The speech worker could not make this voice. Try again.',
  voice_clip_missing: withDetail('This voice has lost its recording.'),
  internal_error: 'Something went wrong on the server. Try again.',
  // Cloning and design
  consent_required: 'Tick the box to confirm the speaker agreed to have their voice cloned.',
  missing_file: 'Record a clip or choose an audio file first.',
  invalid_form: 'The upload could not be read. Choose the file again.',
  file_too_large: `The clip is larger than 10 MB. ${CLIP_ADVICE}`,
  unsupported_media_type: 'That file is not audio. Choose a WAV, MP3, Ogg, FLAC, WebM or M4A file.',
  unsupported_audio_format: 'That audio format cannot be read. Choose a WAV, MP3, Ogg, FLAC, WebM or M4A file.',
  undecodable_audio: 'That audio file could not be decoded: it may be damaged.',
  truncated_audio: 'That audio file ends too early: it seems cut off.',
  clip_too_short: `The clip is too short. ${CLIP_ADVICE}`,
  clip_too_long: `The clip is too long. ${CLIP_ADVICE}`,
  clip_silent: `The clip is silent. ${CLIP_ADVICE}`,
  clip_no_speech: `No speech was heard in the clip. ${CLIP_ADVICE}`,
  clip_too_little_speech: `The clip has too little speech. ${CLIP_ADVICE}`,
  clone_unsupported: withDetail('No model here can clone voices.'),
  design_unsupported: withDetail('No model here can design voices.'),
  // Usage
  invalid_date_range: withDetail('That date range cannot be shown.'),
};

/** Failures that are not the API's: the network, the browser's permissions. */
function browserSentence(error: unknown): string | undefined {
  if (error instanceof DOMException) {
    if (error.name === 'NotAllowedError') return 'The browser was not allowed to use the microphone. Allow it for this page and try again.';
    if (error.name === 'NotFoundError') return 'No microphone was found.';
    if (error.name === 'NotReadableError') return 'The microphone is in use by another program.';
  }
  // fetch rejects with a TypeError when the request never got an answer.
  if (error instanceof TypeError && /fetch|network|load/i.test(error.message)) return 'The server could not be reached. Check the connection and that the server is running.';
  return undefined;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiFailure) {
    const sentence = SENTENCES[error.code];
    if (typeof sentence === 'function') return sentence(error);
    return sentence ?? error.message;
  }
  return browserSentence(error) ?? (error instanceof Error ? error.message : String(error));
}
