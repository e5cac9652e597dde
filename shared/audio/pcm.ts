/** Float samples in [-1, 1] to signed 16-bit integers, clipped: what integer codecs take. */
export function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    out[i] = s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff);
  }
  return out;
}

/** Float samples in [-1, 1] to signed 16-bit little-endian bytes, clipping what lies outside. */
export function floatToS16le(samples: Float32Array): Uint8Array {
  const ints = floatToInt16(samples);
  const out = new Uint8Array(ints.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < ints.length; i++) view.setInt16(i * 2, ints[i]!, true);
  return out;
}

/** Signed 16-bit little-endian bytes to float samples. An odd trailing byte is ignored. */
export function s16leToFloat(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(Math.floor(bytes.byteLength / 2));
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 0x8000;
  return out;
}

/** Joins chunks of samples into one array. */
export function concatSamples(chunks: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
