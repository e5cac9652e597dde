// The package ships JavaScript only; this is the one entry point the espeak thread uses.
declare module '@echogarden/espeak-ng-emscripten' {
  const createEspeak: () => Promise<{ eSpeakNGWorker: new () => unknown }>;
  export default createEspeak;
}
