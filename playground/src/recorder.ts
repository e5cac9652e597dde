/** A microphone recording in progress; `stop` answers it as an audio file the API takes. */
export interface Recording {
  stop(): Promise<File>;
}

export async function startRecording(): Promise<Recording> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('This browser cannot record here (recording needs https or localhost).');
  // The clip is the voice's reference: no processing that changes how the voice sounds.
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  const recorder = new MediaRecorder(stream);
  const parts: Blob[] = [];
  recorder.addEventListener('dataavailable', (event) => parts.push(event.data));
  recorder.start();
  return {
    stop: () =>
      new Promise<File>((resolve) => {
        recorder.addEventListener(
          'stop',
          () => {
            for (const track of stream.getTracks()) track.stop();
            // "audio/webm;codecs=opus": the API takes the type without its parameters.
            const type = (recorder.mimeType || parts[0]?.type || 'audio/webm').split(';')[0]!;
            resolve(new File(parts, `recording.${type.split('/')[1] ?? 'webm'}`, { type }));
          },
          { once: true },
        );
        recorder.stop();
      }),
  };
}
