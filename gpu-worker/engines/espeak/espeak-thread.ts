/**
 * One espeak-ng instance (WebAssembly) in a worker thread. espeak synthesizes synchronously,
 * calling back with each audio block; running it here keeps the worker's HTTP loop free, and
 * the shared cancellation slot lets a disconnect stop synthesis within one block.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { MAX_TEXT_BYTES, startEspeakInstance } from './espeak-instance.ts';
import { CANCEL_SLOT, type EspeakWordEvent, type SynthesizeJob, type ThreadMessage } from './protocol.ts';

// Synthesis ahead of playback can always wait a few milliseconds; answering requests cannot. The
// pool starts such threads at a lower priority (Linux niceness is per thread: this sets this
// thread's own), so that the threads answering requests get the CPU as soon as they need it.
// Where the system refuses, the thread runs at the normal priority.
try {
  setPriority(workerData.niceness as number);
} catch {}

const port = parentPort!;
const cancel = new Int32Array(workerData.cancel as SharedArrayBuffer);
// Each job starts from the same state, so it is the same audio on any thread of any worker (espeak-instance.ts).
const { espeak, reset } = await startEspeakInstance();
const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (job: SynthesizeJob) => {
  let cancelled = false;
  try {
    if (Buffer.byteLength(job.text) >= MAX_TEXT_BYTES) throw new Error(`a text of ${Buffer.byteLength(job.text)} bytes is over the ${MAX_TEXT_BYTES} espeak takes at once.`);
    reset();
    // A voice espeak cannot find would leave the last one in place: the text said with another language's rules.
    if (espeak.set_voice(job.voice) !== 0) throw new Error(`espeak has no voice "${job.voice}".`);
    espeak.rate = job.rate;
    espeak.pitch = job.pitch;
    espeak.range = job.range;
    espeak.synthesize(job.text, (samples, events) => {
      if (Atomics.load(cancel, CANCEL_SLOT) === job.jobId) {
        cancelled = true;
        return true; // non-zero tells espeak to stop
      }
      // Each block comes with the events whose audio position falls in it.
      const words: EspeakWordEvent[] = events
        .filter((event) => event.type === 'word')
        .map((event) => ({ textPosition: event.text_position - 1, length: event.word_length, audioMs: event.audio_position }));
      const audio = samples ?? new Int16Array(0);
      if (audio.length > 0 || words.length > 0) {
        post({ type: 'chunk', jobId: job.jobId, samples: audio, ...(words.length > 0 ? { words } : {}) }, [audio.buffer as ArrayBuffer]);
      }
      return false;
    });
    post({ type: 'done', jobId: job.jobId, cancelled });
  } catch (error) {
    post({ type: 'error', jobId: job.jobId, message: String(error) });
  }
});

post({ type: 'ready', sampleRate: espeak.samplerate });
