import { parseWavHeader, UNKNOWN_LENGTH } from '../../../shared/audio/wav.ts';
import { tooLong, truncatedWav, undecodable } from './errors.ts';
import type { ClipFormat } from './format.ts';

/**
 * What a container's header says, checked before anything is decoded: a WAV cut short (the
 * decoder would quietly return what is there), and an M4A longer than any clip (its decoder
 * reads the whole file into memory before it returns a sample, when the index is at the end).
 */
export function checkContainer(bytes: Uint8Array, format: ClipFormat, maxSeconds: number): void {
  if (format === 'wav') checkWavLength(bytes);
  if (format === 'm4a') {
    const declared = mp4DeclaredSeconds(bytes);
    if (declared !== undefined && declared > maxSeconds) throw tooLong(declared);
  }
}

function checkWavLength(bytes: Uint8Array): void {
  let header: ReturnType<typeof parseWavHeader>;
  try {
    header = parseWavHeader(bytes);
  } catch (error) {
    throw undecodable('WAV', `its header is damaged (${(error as Error).message})`);
  }
  const bytesPerSecond = header.blockAlign * header.sampleRate;
  if (bytesPerSecond === 0) throw undecodable('WAV', `its header describes no audio (${header.channels} channels at ${header.sampleRate} Hz)`);
  if (header.dataBytes === UNKNOWN_LENGTH) return; // a streamed WAV: its samples run to the end of the file
  const present = Math.max(0, bytes.length - header.dataOffset);
  // A partial last frame is not worth refusing a clip for; a missing whole one means bytes were lost.
  if (header.dataBytes - present >= header.blockAlign) throw truncatedWav(header.dataBytes / bytesPerSecond, present / bytesPerSecond);
}

/** The length an MP4/M4A's movie header (moov/mvhd) declares, when it declares one. */
export function mp4DeclaredSeconds(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const moov = findBox(bytes, view, 0, bytes.length, 'moov');
  const mvhd = moov && findBox(bytes, view, moov.start, moov.end, 'mvhd');
  if (!mvhd) return undefined;
  const long = bytes[mvhd.start] === 1; // version 1: 64-bit times
  if (mvhd.end - mvhd.start < (long ? 32 : 20)) return undefined;
  const timescale = view.getUint32(mvhd.start + (long ? 20 : 12));
  const duration = long ? Number(view.getBigUint64(mvhd.start + 24)) : view.getUint32(mvhd.start + 16);
  // All ones means "unknown" (a live or fragmented file); 0 is what fragmented files declare.
  if (timescale === 0 || duration === 0 || duration === (long ? 2 ** 64 : 0xffffffff)) return undefined;
  return duration / timescale;
}

/** The body of the first `type` box between start and end, walking ISO BMFF box headers. */
function findBox(bytes: Uint8Array, view: DataView, start: number, end: number, type: string): { start: number; end: number } | undefined {
  let offset = start;
  while (offset + 8 <= end) {
    let size = view.getUint32(offset);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > end) return undefined;
      size = Number(view.getBigUint64(offset + 8));
      header = 16;
    } else if (size === 0) size = end - offset; // to the end of the enclosing box
    if (size < header) return undefined;
    if (String.fromCharCode(...bytes.subarray(offset + 4, offset + 8)) === type) return { start: offset + header, end: Math.min(end, offset + size) };
    offset += size;
  }
  return undefined;
}
