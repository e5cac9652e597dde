import { wavHeader } from '../../shared/audio/wav.ts';
import type { ResponseFormat } from '../../shared/schemas/speech.ts';

/** What was spoken, as a file: pcm wrapped as WAV (so players open it), other formats as received. */
const EXTENSIONS: Record<ResponseFormat, string> = { mp3: 'mp3', opus: 'ogg', aac: 'aac', flac: 'flac', wav: 'wav', pcm: 'wav', mulaw: 'ulaw', alaw: 'alaw' };

export function spokenFile(format: ResponseFormat, chunks: Uint8Array<ArrayBuffer>[], audio: { contentType: string; sampleRate: number }): { blob: Blob; name: string } {
  const name = `speech.${EXTENSIONS[format]}`;
  if (format !== 'pcm') return { blob: new Blob(chunks, { type: audio.contentType }), name };
  const dataBytes = chunks.reduce((total, chunk) => total + chunk.byteLength, 0);
  const header = wavHeader({ sampleRate: audio.sampleRate, channels: 1, bitsPerSample: 16 }, dataBytes) as Uint8Array<ArrayBuffer>;
  return { blob: new Blob([header, ...chunks], { type: 'audio/wav' }), name };
}

/** The #download link: disabled (no href, aria-disabled) until there is audio, then a blob URL. */
export function offerDownload(link: HTMLAnchorElement, file: { blob: Blob; name: string }): void {
  withdrawDownload(link);
  link.href = URL.createObjectURL(file.blob);
  link.download = file.name;
  link.removeAttribute('aria-disabled');
}

export function withdrawDownload(link: HTMLAnchorElement): void {
  if (link.href) URL.revokeObjectURL(link.href);
  link.removeAttribute('href');
  link.setAttribute('aria-disabled', 'true');
}
