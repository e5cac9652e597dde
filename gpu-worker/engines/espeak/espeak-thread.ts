/**
 * One espeak-ng instance (WebAssembly) in a worker thread. espeak synthesizes synchronously,
 * calling back with each audio block; running it here keeps the worker's HTTP loop free, and
 * the shared cancellation slot lets a disconnect stop synthesis within one block.
 */
import { parentPort, workerData } from 'node:worker_threads';
import createEspeak from '@echogarden/espeak-ng-emscripten';
import { CANCEL_SLOT, type SynthesizeJob, type ThreadMessage } from './protocol.ts';

interface EspeakWorker {
  set_voice(name: string): void;
  rate: number;
  pitch: number;
  range: number;
  samplerate: number;
  synthesize(text: string, callback: (samples: Int16Array | undefined, events: unknown[]) => boolean): void;
}

const port = parentPort!;
const cancel = new Int32Array(workerData.cancel as SharedArrayBuffer);
const module = await createEspeak();
const espeak = new module.eSpeakNGWorker() as EspeakWorker;
const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (job: SynthesizeJob) => {
  let cancelled = false;
  try {
    espeak.set_voice(job.voice);
    espeak.rate = job.rate;
    espeak.pitch = job.pitch;
    espeak.range = job.range;
    espeak.synthesize(job.text, (samples) => {
      if (Atomics.load(cancel, CANCEL_SLOT) === job.jobId) {
        cancelled = true;
        return true; // non-zero tells espeak to stop
      }
      if (samples && samples.length > 0) post({ type: 'chunk', jobId: job.jobId, samples }, [samples.buffer as ArrayBuffer]);
      return false;
    });
    post({ type: 'done', jobId: job.jobId, cancelled });
  } catch (error) {
    post({ type: 'error', jobId: job.jobId, message: String(error) });
  }
});

post({ type: 'ready', sampleRate: espeak.samplerate });
