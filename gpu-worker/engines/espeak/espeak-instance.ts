import createEspeak from '@echogarden/espeak-ng-emscripten';

/** The emscripten wrapper's event, as it builds it from espeak_EVENT (audio_position in ms). */
export interface EspeakEvent {
  type: string;
  text_position: number;
  word_length: number;
  audio_position: number;
}

export interface EspeakWorker {
  /** 0 when espeak found the voice; otherwise it keeps the voice it had. */
  set_voice(name: string): number;
  rate: number;
  pitch: number;
  range: number;
  samplerate: number;
  synthesize(text: string, callback: (samples: Int16Array | undefined, events: EspeakEvent[]) => boolean): void;
}

export interface EspeakInstance {
  espeak: EspeakWorker;
  /** Puts the instance back in the state it started in: the next synthesis is the same as on any fresh instance. */
  reset(): void;
}

/**
 * The longest text (UTF-8 bytes) a job may pass. The wrapper copies each string argument into a
 * buffer it keeps (its `ensureCache`, whose pointers live in JavaScript): a longer string would
 * make it allocate anew, and memory written back by `reset` would then hold none of it. So the
 * buffer is grown to this once, before the copy of memory is taken, and no job may need more.
 * A speech request's sentence is at most a few thousand characters, escaped.
 */
export const MAX_TEXT_BYTES = 256 * 1024;

/**
 * An espeak-ng instance whose syntheses repeat themselves exactly. espeak keeps state from one
 * synthesis to the next (its noise generator, which it seeds from the clock when it starts, and
 * buffers it reuses), so two takes of one text differ a little, and differ between processes.
 * Here the clock reads zero while espeak starts, and a copy of the module's memory, taken after
 * one short warm-up synthesis, is written back before every job (`reset`, about 1 ms for its
 * 17 MB): every job starts from the same state, so the same job gives the same samples in any
 * thread of any worker. The wasm build exports no `srand`, which would have been the narrower way.
 */
export async function startEspeakInstance(): Promise<EspeakInstance> {
  const clock = Date.now;
  Date.now = () => 0;
  let module: Awaited<ReturnType<typeof createEspeak>>;
  let espeak: EspeakWorker;
  try {
    module = await createEspeak();
    espeak = new module.eSpeakNGWorker() as EspeakWorker;
  } finally {
    Date.now = clock;
  }
  // The wrapper's string buffer, grown to MAX_TEXT_BYTES: a string that does not fit is allocated
  // apart, and the next call frees it and grows the buffer by it. Stopped at its first block.
  espeak.synthesize(' '.repeat(MAX_TEXT_BYTES), () => true);
  // The first synthesis sets up what later ones reuse: the copy holds it set up.
  espeak.set_voice('en');
  espeak.synthesize('a', () => false);
  const memory = module.HEAPU8.slice(0);
  return {
    espeak,
    reset() {
      const heap = module.HEAPU8; // a new view if the memory grew since
      heap.set(memory);
      // Memory grown since holds what later jobs left; fresh memory is zeros.
      if (heap.length > memory.length) heap.fill(0, memory.length);
    },
  };
}
