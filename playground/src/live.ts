import type { ServerMessage } from '../../shared/schemas/realtime.ts';
import { ApiFailure } from './api.ts';
import { audioOutput } from './audio-output.ts';
import { captions } from './captions.ts';
import { forgetToken, isStaleTokenCode, refreshToken } from './client-token.ts';
import { chosenVersions } from './dictionaries.ts';
import { byId } from './dom.ts';
import { clearError, fail, say } from './feedback.ts';
import type { StreamPlayer } from './player.ts';
import { openRealtimeSocket, type RealtimeSocket } from './realtime-socket.ts';
import { pcm16Decoder } from './sample-decoders.ts';
import { samplePlayer } from './sample-player.ts';
import { speechRequest } from './speech-options.ts';
import { beginLive } from './speech-timings.ts';
import { typedSince } from './typed-text.ts';

/**
 * Live: what is typed is spoken as it is written, over the realtime socket (as an LLM's tokens
 * would be), sentence by sentence, with its words lit as they are heard. Finish speaks the rest;
 * Stop is barge-in. Model, voice, language and speed are the Speak panel's; the dictionaries the
 * Pronunciation panel's.
 */
const liveText = byId('live-text', HTMLTextAreaElement);
const finishButton = byId('live-finish', HTMLButtonElement);
const stopButton = byId('live-stop', HTMLButtonElement);
const words = captions(byId('live-captions', HTMLElement));

const SAMPLE_RATE = 24_000;
/** Ahead of the clock the first buffer is scheduled at (sample-player.ts's lead). */
const LEAD_MS = 50;

interface Utterance {
  id: string;
  player: StreamPlayer | null;
  /** performance.now() when its first audio plays. */
  audioStartsAt: number | null;
}

let socket: Promise<RealtimeSocket> | null = null;
let socketConfig = '';
/** Utterances whose audio may still come, by context id; text goes to `typingInto`. */
const speaking = new Map<string, Utterance>();
let typingInto: Utterance | null = null;
/** The context Stop cancelled last, and whether the server has confirmed it with `done`. */
let stopped: { id: string; done: boolean } | null = null;
/** The panel's text as it was when text was last sent: typing sends what it adds (typed-text.ts). */
let sentText = '';
let utteranceCount = 0;
let timings = beginLive();

/** Live's text is plain (SSML is Speak's); the dictionaries apply to every chunk of it. */
function configNow() {
  const { model, voice, language, speed, pronunciation_dictionaries } = speechRequest();
  return {
    type: 'config' as const,
    response_format: 'pcm' as const,
    sample_rate: SAMPLE_RATE,
    ...(model ? { model } : {}),
    ...(voice ? { voice } : {}),
    ...(language ? { language } : {}),
    speed,
    ...(pronunciation_dictionaries ? { pronunciation_dictionaries } : {}),
  };
}

/** The socket for the Speak panel's current choices and the dictionaries' versions: a new one when they changed. */
function connection(): Promise<RealtimeSocket> {
  const config = configNow();
  const key = JSON.stringify([config, chosenVersions()]);
  if (socket && key === socketConfig) return socket;
  void socket?.then((open) => open.close()).catch(() => {});
  socketConfig = key;
  socket = openRealtimeSocket(config, onMessage, () => {
    socket = null;
  });
  socket.catch((error: unknown) => {
    socket = null;
    fail(error);
  });
  return socket;
}

function onMessage(message: ServerMessage): void {
  if (message.type === 'error') {
    // The socket's client token was revoked, expired or ran out: the next text opens a socket with a new one.
    if (isStaleTokenCode(message.code)) {
      forgetToken();
      socketConfig = '';
    }
    return fail(new ApiFailure(0, message.code, message.message, undefined, message.retry_after_seconds));
  }
  if (message.type === 'audio') {
    if (message.context_id === stopped?.id && stopped.done) timings.audioAfterDone++;
    const utterance = speaking.get(message.context_id);
    if (!utterance || !message.audio) return;
    play(utterance, Uint8Array.from(atob(message.audio), (c) => c.charCodeAt(0)));
    words.add(message.timestamps);
    timings.words += message.timestamps.length;
    return;
  }
  if (message.type === 'done' && message.context_id === stopped?.id) {
    stopped.done = true;
    timings.done = message.reason;
  }
  const utterance = message.type === 'done' ? speaking.get(message.context_id) : undefined;
  if (message.type === 'done' && utterance) {
    timings.done = message.reason;
    speaking.delete(utterance.id);
    if (typingInto === utterance) typingInto = null;
    void utterance.player?.end().then(() => words.stop());
    say(`Spoken: ${message.usage.characters} characters, ${(message.usage.audio_ms / 1000).toFixed(1)} s of audio.`);
    void refreshToken().catch(() => {});
  }
}

function play(utterance: Utterance, bytes: Uint8Array<ArrayBuffer>): void {
  timings.audioMessages++;
  if (timings.stoppedAt !== null) timings.playedAfterStop++;
  utterance.player ??= samplePlayer(audioOutput(), pcm16Decoder(), SAMPLE_RATE, () => {
    timings.firstAudioAt = performance.now();
    utterance.audioStartsAt = performance.now() + LEAD_MS;
    words.follow(() => performance.now() - utterance.audioStartsAt!);
  });
  utterance.player.push(bytes);
}

/** Sends what was typed since the last send; a deletion only moves the mark. */
async function sendTyped(): Promise<void> {
  const typed = typedSince(sentText, liveText.value);
  sentText = liveText.value;
  if (typed.length === 0) return;
  audioOutput(); // within the keystroke, so the browser lets it play
  if (!typingInto) {
    clearError();
    words.clear();
    timings = beginLive();
    typingInto = { id: `live-${++utteranceCount}`, player: null, audioStartsAt: null };
    speaking.set(typingInto.id, typingInto);
  }
  timings.firstTextAt ??= performance.now();
  const { id } = typingInto;
  (await connection()).send({ type: 'text', text: typed, context_id: id });
}

liveText.addEventListener('input', () => {
  void sendTyped().catch(fail);
});

/** No more text for this utterance: the rest is spoken, and typing starts the next one. */
finishButton.addEventListener('click', () => {
  if (!typingInto) return;
  const { id } = typingInto;
  typingInto = null;
  void socket?.then((open) => open.send({ type: 'close', context_id: id })).catch(fail);
});

/** Barge-in: everything spoken or waiting stops now. */
stopButton.addEventListener('click', () => {
  const ids = [...speaking.keys()];
  if (ids.length === 0) return;
  for (const utterance of speaking.values()) utterance.player?.stop();
  speaking.clear();
  typingInto = null;
  stopped = { id: ids.at(-1)!, done: false };
  timings.stoppedAt = performance.now();
  words.stop();
  void socket?.then((open) => ids.forEach((id) => open.send({ type: 'cancel', context_id: id }))).catch(fail);
  say('Stopped.');
});

/** A new key, or browser-app mode turned: the socket opened with the old credential goes. */
export function resetLive(): void {
  void socket?.then((open) => open.close()).catch(() => {});
  socket = null;
  for (const utterance of speaking.values()) utterance.player?.stop();
  speaking.clear();
  typingInto = null;
  sentText = liveText.value;
}
