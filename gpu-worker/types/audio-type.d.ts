// audio-type ships JavaScript only: its detector, as gpu-worker/audio/clip uses it.
declare module 'audio-type' {
  /** The format its first bytes say (e.g. 'wav', 'mp3', 'opus', 'oga', 'm4a', 'mid'), or undefined. */
  export default function audioType(bytes: Uint8Array): string | undefined;
}
