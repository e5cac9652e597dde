/**
 * WAV (RIFF, PCM s16le) headers for streams. A stream's length is unknown when its header goes
 * out, so the RIFF and data sizes carry 0xFFFFFFFF, the convention OpenAI's API and most
 * decoders (ffmpeg, sox, browsers) read as "until the end of the stream".
 */
export const WAV_HEADER_BYTES = 44;
export const UNKNOWN_LENGTH = 0xffffffff;

export interface WavFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

export function wavHeader(format: WavFormat, dataBytes: number = UNKNOWN_LENGTH): Uint8Array {
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  const blockAlign = (format.channels * format.bitsPerSample) / 8;
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) header[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, dataBytes === UNKNOWN_LENGTH ? UNKNOWN_LENGTH : 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size for PCM
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, format.bitsPerSample, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}

export interface ParsedWavHeader extends WavFormat {
  /** Bytes of sample data the header declares; UNKNOWN_LENGTH for a stream. */
  dataBytes: number;
  /** Offset of the first sample byte. */
  dataOffset: number;
  byteRate: number;
  blockAlign: number;
  audioFormat: number;
}

/** Reads the canonical header this API writes (and any RIFF/WAVE with fmt before data). */
export function parseWavHeader(bytes: Uint8Array): ParsedWavHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let offset = 12;
  let fmt: Omit<ParsedWavHeader, 'dataBytes' | 'dataOffset'> | undefined;
  while (offset + 8 <= bytes.byteLength) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') {
      if (offset + 24 > bytes.byteLength) break;
      fmt = {
        audioFormat: view.getUint16(offset + 8, true),
        channels: view.getUint16(offset + 10, true),
        sampleRate: view.getUint32(offset + 12, true),
        byteRate: view.getUint32(offset + 16, true),
        blockAlign: view.getUint16(offset + 20, true),
        bitsPerSample: view.getUint16(offset + 22, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk comes before its fmt chunk');
      return { ...fmt, dataBytes: size, dataOffset: offset + 8 };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('WAV header is incomplete: no data chunk');
}
