// The package ships JavaScript only; this is the one entry point the espeak thread uses.
declare module '@echogarden/espeak-ng-emscripten' {
  // HEAPU8: the module's memory (a new view after it grows).
  const createEspeak: () => Promise<{ eSpeakNGWorker: new () => unknown; HEAPU8: Uint8Array }>;
  export default createEspeak;
}
