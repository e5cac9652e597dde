/**
 * The page's one AudioContext. Everything spoken goes through its analyser (which the waveform
 * reads) to the speakers: Web Audio buffers directly, and the media element (Media Source or a
 * downloaded file) through a MediaElementAudioSourceNode.
 */
export interface AudioOutput {
  context: AudioContext;
  analyser: AnalyserNode;
  element: HTMLAudioElement;
}

let output: AudioOutput | undefined;

/** Call from a click: browsers let an AudioContext start only after a user gesture. */
export function audioOutput(): AudioOutput {
  if (!output) {
    const context = new AudioContext({ latencyHint: 'interactive' });
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    analyser.connect(context.destination);
    const element = new Audio();
    context.createMediaElementSource(element).connect(analyser);
    output = { context, analyser, element };
  }
  output.context.resume().catch(() => {}); // stays suspended without a gesture; the next click resumes it
  return output;
}
