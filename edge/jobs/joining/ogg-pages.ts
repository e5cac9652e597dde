/**
 * Ogg pages (RFC 3533): reading a stream's pages and rewriting one page's header fields in place.
 * Header: "OggS", version, flags, granule position (64-bit LE), serial, sequence number, CRC,
 * segment count, lacing values; then the body.
 */

export const OGG_FLAG_CONTINUED = 1;
export const OGG_FLAG_BOS = 2;
export const OGG_FLAG_EOS = 4;
/** The granule position of a page on which no packet ends. */
export const NO_GRANULE = -1n;

export interface OggPage {
  /** Offset of "OggS" in the stream's bytes. */
  offset: number;
  /** Header plus body. */
  length: number;
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  /** The page's packet pieces, in order: each a slice of the body and whether its packet ends on this page. */
  pieces: Array<{ bytes: Uint8Array; ends: boolean }>;
}

/** Every page of `bytes`, checked (capture pattern, version, lengths, CRC); throws a message saying where it failed. */
export function readOggPages(bytes: Uint8Array): OggPage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pages: OggPage[] = [];
  for (let offset = 0; offset < bytes.byteLength; ) {
    if (offset + 27 > bytes.byteLength) throw new Error(`${bytes.byteLength - offset} bytes at ${offset} are too few for an Ogg page (truncated)`);
    if (view.getUint32(offset) !== 0x4f676753 /* OggS */ || bytes[offset + 4] !== 0) throw new Error(`byte ${offset} does not start an Ogg page`);
    const segments = bytes[offset + 26]!;
    const lacing = bytes.subarray(offset + 27, offset + 27 + segments);
    const headerLength = 27 + segments;
    const length = headerLength + lacing.reduce((sum, value) => sum + value, 0);
    if (lacing.length < segments || offset + length > bytes.byteLength) throw new Error(`the Ogg page at byte ${offset} needs ${length} bytes, ${bytes.byteLength - offset} are left (truncated)`);
    const page = bytes.subarray(offset, offset + length);
    if (oggCrc(page) !== view.getUint32(offset + 22, true)) throw new Error(`the Ogg page at byte ${offset} fails its checksum`);
    const pieces: OggPage['pieces'] = [];
    let start = headerLength;
    let size = 0;
    for (const value of lacing) {
      size += value;
      if (value < 255) {
        pieces.push({ bytes: page.subarray(start, start + size), ends: true });
        start += size;
        size = 0;
      }
    }
    if (lacing.length > 0 && lacing.at(-1) === 255) pieces.push({ bytes: page.subarray(start, start + size), ends: false });
    pages.push({
      offset,
      length,
      flags: bytes[offset + 5]!,
      granule: view.getBigInt64(offset + 6, true),
      serial: view.getUint32(offset + 14, true),
      sequence: view.getUint32(offset + 18, true),
      pieces,
    });
    offset += length;
  }
  return pages;
}

/** Sets a page's header fields (at `offset` in `bytes`, in place) and its CRC to match. */
export function rewriteOggPage(bytes: Uint8Array, page: Pick<OggPage, 'offset' | 'length' | 'flags' | 'granule' | 'serial' | 'sequence'>): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  bytes[page.offset + 5] = page.flags;
  view.setBigInt64(page.offset + 6, page.granule, true);
  view.setUint32(page.offset + 14, page.serial, true);
  view.setUint32(page.offset + 18, page.sequence, true);
  view.setUint32(page.offset + 22, oggCrc(bytes.subarray(page.offset, page.offset + page.length)), true);
}

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, no final XOR), with the CRC field taken as zero. */
function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** A packet of an Ogg stream: its first piece (where its first bytes are) and the page it ends on. */
export interface OggPacket {
  head: Uint8Array;
  endPage: number;
}

/** The packets that end in `pages`, in order; a packet still open at the last page is left out. */
export function oggPackets(pages: readonly OggPage[]): OggPacket[] {
  const packets: OggPacket[] = [];
  let open: Uint8Array | undefined;
  pages.forEach((page, pageIndex) => {
    page.pieces.forEach((piece, i) => {
      // A page's first piece continues the open packet when the page says so; any other starts one.
      const continues = i === 0 && page.flags & OGG_FLAG_CONTINUED && open !== undefined;
      const head = continues ? open! : piece.bytes;
      if (piece.ends) {
        packets.push({ head, endPage: pageIndex });
        open = undefined;
      } else open = head;
    });
  });
  return packets;
}
