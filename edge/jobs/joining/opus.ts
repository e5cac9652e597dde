import { NO_GRANULE, OGG_FLAG_BOS, OGG_FLAG_EOS, oggPackets, readOggPages, rewriteOggPage, type OggPage } from './ogg-pages.ts';
import { ChunkBytesError, type FormatJoin } from './types.ts';

/** Ogg Opus counts samples at 48 kHz whatever the rate it was encoded at (RFC 7845). */
const OPUS_RATE = 48_000;
/**
 * The pre-skip the worker's libopus writes (its lookahead, gpu-worker/audio/encoders/opusscript-codec.ts).
 * Only the stream's first one is skipped by a decoder: every later chunk keeps its own as lead-in.
 */
const PRE_SKIP = 312;

/**
 * Opus: one logical Ogg stream. Chunk 0 keeps its OpusHead and OpusTags pages; later chunks are
 * stored without theirs. In the file every chunk's pages take chunk 0's serial, are numbered after
 * the pages before them, and have granule positions counted from the packets before them (so a
 * chunk's own end trim goes: only a stream's last page may trim); only the job's last page says
 * end of stream. The page CRCs are computed again; no page changes length.
 */
export const opusJoin: FormatJoin = {
  workerOutput: 'opus',

  storedChunk(sampleRate, index, workerBytes) {
    const fail = (problem: string) => new ChunkBytesError('opus', index, problem);
    let pages: OggPage[];
    try {
      pages = readOggPages(workerBytes);
    } catch (error) {
      throw fail((error as Error).message);
    }
    const serial = pages[0]?.serial;
    if (pages.some((page) => page.serial !== serial)) throw fail('pages of more than one Ogg stream');
    const head = pages[0]?.pieces[0]?.bytes;
    if (!head || !(pages[0]!.flags & OGG_FLAG_BOS) || ascii(head, 0, 8) !== 'OpusHead' || head.byteLength < 19) throw fail('does not start with an OpusHead page');
    const headView = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (head[9] !== 1) throw fail(`${head[9]} channels, jobs are mono`);
    if (headView.getUint16(10, true) !== PRE_SKIP) throw fail(`pre-skip ${headView.getUint16(10, true)}, the join counts on ${PRE_SKIP}`);
    if (headView.getUint32(12, true) !== sampleRate) throw fail(`encoded from ${headView.getUint32(12, true)} Hz in a ${sampleRate} Hz job`);

    // The headers are the first two packets; audio starts on the page after OpusTags ends (RFC 7845 §3).
    const { durations, headerPages } = audioPackets(pages, fail);
    const granules = durations.reduce((sum, duration) => sum + duration, 0);
    if (granules === 0) throw fail('no audio packets');
    const kept = index === 0 ? pages : pages.slice(headerPages);
    const start = kept[0]!.offset;
    const skipped = index === 0 ? PRE_SKIP : 0;
    return {
      bytes: workerBytes.subarray(start),
      samples: ((granules - skipped) * sampleRate) / OPUS_RATE,
      facts: { oggPages: kept.length, oggGranules: granules, oggSerial: serial! },
    };
  },

  fileHeader: () => new Uint8Array(0),

  // Pages are rewritten in place: no page changes length.
  lengthInFile: (_facts, _before, storedBytes) => storedBytes,

  chunkInFile(stored, { index, before, last }) {
    if (before.some((facts) => facts.oggPages === undefined || facts.oggGranules === undefined || facts.oggSerial === undefined)) {
      throw new Error(`opus chunk ${index}: the facts of the chunks before it are not an opus chunk's`);
    }
    const bytes = stored.slice();
    const pages = readOggPages(bytes);
    // Chunk 0's two header packets take no time; a later chunk's stored bytes start with audio.
    const audio = oggPackets(pages).slice(index === 0 ? 2 : 0);
    const serial = index === 0 ? pages[0]!.serial : before[0]!.oggSerial!;
    const firstSequence = before.reduce((sum, facts) => sum + facts.oggPages!, 0);
    let granule = before.reduce((sum, facts) => sum + facts.oggGranules!, 0);
    let next = 0;
    pages.forEach((page, i) => {
      // A page's granule position counts the samples of every packet that ends on it or before it.
      const endsHere = page.pieces.some((piece) => piece.ends);
      for (; next < audio.length && audio[next]!.endPage === i; next++) granule += packetDuration(audio[next]!.head);
      let flags = page.flags & ~OGG_FLAG_EOS;
      if (!(index === 0 && i === 0)) flags &= ~OGG_FLAG_BOS;
      if (last && i === pages.length - 1) flags |= OGG_FLAG_EOS;
      rewriteOggPage(bytes, { ...page, flags, serial, sequence: firstSequence + i, granule: endsHere ? BigInt(granule) : NO_GRANULE });
    });
    return bytes;
  },

  leadInSamples: (sampleRate, index) => (index === 0 ? 0 : (PRE_SKIP * sampleRate) / OPUS_RATE),
};

/** The chunk's audio packets (each with its duration at 48 kHz) and how many pages its two headers fill. */
function audioPackets(pages: OggPage[], fail: (problem: string) => Error) {
  const packets = oggPackets(pages);
  ['OpusHead', 'OpusTags'].forEach((magic, i) => {
    if (!packets[i] || ascii(packets[i]!.head, 0, 8) !== magic) throw fail(`packet ${i} is not ${magic}${packets[i] ? '' : ' (truncated)'}`);
  });
  const headerPages = packets[1]!.endPage + 1;
  if (!pages[headerPages - 1]!.pieces.at(-1)!.ends || packets[2]?.endPage === headerPages - 1) throw fail('audio shares a page with OpusTags');
  const durations = packets.slice(2).map((packet, i) => {
    const duration = packetDuration(packet.head);
    if (duration === 0) throw fail(`audio packet ${i} is not an Opus packet`);
    return duration;
  });
  return { durations, headerPages };
}

/** 48 kHz samples an Opus packet decodes to, from its TOC byte (RFC 6716 §3.1); 0 for no valid packet. */
function packetDuration(packet: Uint8Array): number {
  if (packet.byteLength === 0) return 0;
  const toc = packet[0]!;
  const config = toc >> 3;
  const frameSamples = config < 12 ? [480, 960, 1920, 2880][config % 4]! : config < 16 ? [480, 960][config % 2]! : [120, 240, 480, 960][config % 4]!;
  const code = toc & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : packet.byteLength > 1 ? packet[1]! & 0x3f : 0;
  return frames * frameSamples;
}

const ascii = (bytes: Uint8Array, offset: number, length: number) => String.fromCharCode(...bytes.subarray(offset, offset + length));
