import { FORMATS, OUTPUT_SAMPLE_RATE } from '../../shared/audio/formats.ts';
import { ApiFailure, apiFetch } from './api.ts';
import { audioOutput } from './audio-output.ts';
import { noteTokenHeaders, withCredential } from './client-token.ts';
import { byId } from './dom.ts';
import { offerDownload, spokenFile, withdrawDownload } from './download.ts';
import { clearError, fail, say } from './feedback.ts';
import { notHonoredNotice, parseNotHonoredHeader } from './not-honored.ts';
import { createPlayer, playbackMode, type StreamPlayer } from './player.ts';
import { beginSpeech } from './speech-timings.ts';
import { speechRequest } from './speech-options.ts';
import { billedCharacters, type InputFormat, inputFormat, pointAtSsmlError, setupSsml } from './ssml.ts';
import { codePoints, formatCount, formatDuration } from './units.ts';
import { waveform } from './waveform.ts';

/** Speak and Stop: one request at a time, played while it streams, with its timings and its file. */
const form = byId('speak-form', HTMLFormElement);
const text = byId('text', HTMLTextAreaElement);
const textCount = byId('text-count', HTMLElement);
const stopButton = byId('stop', HTMLButtonElement);
const download = byId('download', HTMLAnchorElement);
const ttfa = byId('ttfa', HTMLElement);
const totalTime = byId('total-time', HTMLElement);
const characters = byId('characters', HTMLElement);
const audioSource = byId('audio-source', HTMLElement);
const notice = byId('speak-notice', HTMLElement);
const wave = waveform(byId('waveform', HTMLCanvasElement));

export interface SpeakHooks {
  /** The API accepted the request (its headers say the credits left). */
  onAccepted(response: Response): void;
  /** The audio played out or was stopped: the ledger has the request by now. */
  onSettled(): void;
}

interface Run {
  aborter: AbortController;
  player?: StreamPlayer;
}
let current: Run | undefined;

function stop(run: Run): void {
  run.aborter.abort();
  run.player?.stop();
  if (current === run) {
    current = undefined;
    wave.stop();
  }
}

const NOT_YET = '–';
/** The API's MAX_INPUT_CHARACTERS and MAX_SSML_CHARACTERS (shared/schemas/speech.ts, not imported: that module brings zod along). */
const MAX_INPUT_CHARACTERS = 4096;
const MAX_SSML_CHARACTERS = 4 * MAX_INPUT_CHARACTERS;

/** The characters billed, as the page can tell them before sending ('–' for SSML the browser cannot read). */
const billed = (input: string, format: InputFormat) => {
  const count = billedCharacters(input, format);
  return count === undefined ? NOT_YET : formatCount(count, 'characters');
};

function showLength(): void {
  textCount.textContent =
    inputFormat() === 'ssml'
      ? `${billed(text.value, 'ssml')} of text, ${formatCount(codePoints(text.value), 'with markup')} (at most ${formatCount(MAX_INPUT_CHARACTERS, 'of text')} and ${formatCount(MAX_SSML_CHARACTERS, 'with markup')} a request)`
      : `${formatCount(codePoints(text.value), 'characters')} (at most ${formatCount(MAX_INPUT_CHARACTERS, 'a request')})`;
}

/** Where the audio came from, as `x-tts-cache` says (docs/cache.md). */
function audioSourceOf(cache: string | null): string {
  if (cache === 'hit') return 'from the cache';
  if (cache === 'miss') return 'rendered, cached';
  return 'rendered';
}

async function speak(hooks: SpeakHooks): Promise<void> {
  if (current) stop(current);
  const run: Run = { aborter: new AbortController() };
  current = run;
  const body = speechRequest();
  const format = body.response_format;
  const output = audioOutput(); // within the click, so the browser lets it play
  const timings = beginSpeech(format);
  clearError();
  withdrawDownload(download);
  notice.textContent = '';
  for (const metric of [ttfa, totalTime, characters, audioSource]) metric.textContent = NOT_YET;
  say('Sending the request…');

  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let audio = { contentType: FORMATS[format].contentType, sampleRate: OUTPUT_SAMPLE_RATE };
  const offerWhatArrived = () => chunks.length > 0 && offerDownload(download, spokenFile(format, chunks, audio));
  try {
    // The key, or in browser-app mode a client token (minted first when there is none fit for it).
    const response = await withCredential(codePoints(body.input), (bearer) => {
      timings.requestSentAt = performance.now();
      return apiFetch('/v1/audio/speech', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: run.aborter.signal }, bearer);
    });
    const sentAt = timings.requestSentAt!;
    audio = {
      contentType: response.headers.get('content-type') ?? audio.contentType,
      sampleRate: Number(response.headers.get('x-audio-sample-rate')) || audio.sampleRate,
    };
    characters.textContent = billed(body.input, body.input_format);
    audioSource.textContent = audioSourceOf(response.headers.get('x-tts-cache'));
    // Markup the model could not honour (a phoneme Qwen3 cannot say) was said as plain text: the page says so.
    notice.textContent = notHonoredNotice(parseNotHonoredHeader(response.headers.get('x-tts-not-honored'), body.input));
    timings.status = response.status;
    hooks.onAccepted(response);
    noteTokenHeaders(response);

    const mode = playbackMode(format, audio.contentType);
    const player = (run.player = createPlayer(format, audio, output, () => {
      timings.playbackStartedAt = performance.now();
      ttfa.textContent = formatDuration(timings.playbackStartedAt - sentAt);
    }));
    wave.start(output.analyser);
    say(mode === 'after-download' ? `This browser cannot play ${format} while it streams: it plays once the download ends.` : 'Playing while it streams…');

    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      timings.firstChunkAt ??= performance.now();
      timings.bytes += read.value.byteLength;
      chunks.push(read.value);
      player.push(read.value);
    }
    const endedAt = performance.now();
    totalTime.textContent = formatDuration(endedAt - sentAt);
    offerWhatArrived();
    timings.responseEndedAt = endedAt; // last: a test waiting on it finds the page updated
    say(mode === 'after-download' ? 'Downloaded: playing.' : 'Downloaded: playing the rest.');
    await player.end();
    if (current === run) {
      stop(run);
      say('Done.');
    }
    hooks.onSettled();
  } catch (error) {
    if (run.aborter.signal.aborted) {
      // Stop pressed mid-stream (not a newer Speak, which owns the page now): keep what came.
      if (current === undefined) {
        offerWhatArrived();
        hooks.onSettled();
      }
      return;
    }
    stop(run);
    say('');
    const brokeOff = offerWhatArrived();
    // Before the status: a test waiting on it finds the sentence.
    fail(brokeOff ? new Error('The audio stream broke off before its end. The download has what arrived.') : error);
    if (error instanceof ApiFailure && error.code === 'invalid_ssml') pointAtSsmlError(error.message);
    if (error instanceof ApiFailure) timings.status = error.status;
  }
}

export function setupSpeak(hooks: SpeakHooks): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void speak(hooks);
  });
  // Ctrl+Enter (⌘+Enter) in the text speaks, as in chat boxes.
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  text.addEventListener('input', showLength);
  setupSsml(showLength);
  showLength();
  stopButton.addEventListener('click', () => {
    if (!current) return;
    stop(current);
    say('Stopped.');
  });
  wave.stop();
}
