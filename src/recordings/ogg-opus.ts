/**
 * A small Ogg encapsulation of Opus (RFC 3533 pages, RFC 7845 OpusHead/OpusTags), written here because
 * the WebAssembly Opus build (opusscript) gives bare packets. Only what the archive needs: one logical
 * stream, mono or stereo, mapping family 0; and a reader for the tests and the integrity tooling.
 */

/** CRC-32 of Ogg: polynomial 0x04C11DB7, not reflected, initial value 0, no final XOR (RFC 3533 §6). */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

export function oggCrc32(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}

const HEADER_BOS = 0x02;
const HEADER_EOS = 0x04;
const HEADER_CONTINUED = 0x01;

interface PageOptions {
  headerType: number;
  granule: bigint;
  serial: number;
  sequence: number;
  /** Lacing values and the bytes they describe. */
  segments: number[];
  body: Uint8Array;
}

function page(o: PageOptions): Buffer {
  const header = Buffer.alloc(27 + o.segments.length);
  header.write('OggS', 0, 'ascii');
  header[4] = 0; // stream structure version
  header[5] = o.headerType;
  header.writeBigInt64LE(o.granule, 6);
  header.writeUInt32LE(o.serial >>> 0, 14);
  header.writeUInt32LE(o.sequence >>> 0, 18);
  header.writeUInt32LE(0, 22); // CRC, filled below over the whole page
  header[26] = o.segments.length;
  for (let i = 0; i < o.segments.length; i++) header[27 + i] = o.segments[i]!;
  const out = Buffer.concat([header, o.body]);
  out.writeUInt32LE(oggCrc32(out), 22);
  return out;
}

/** Lacing values of one packet: 255s then the remainder (0 when the length is a multiple of 255). */
function lacing(len: number): number[] {
  const out: number[] = new Array<number>(Math.floor(len / 255)).fill(255);
  out.push(len % 255);
  return out;
}

export interface OggOpusWriterOptions {
  channels: 1 | 2;
  /** Sample rate of the original audio (informational in OpusHead; decoders play at 48 kHz or what they choose). */
  inputSampleRate: number;
  /** Encoder lookahead in 48 kHz samples, discarded by decoders at the start (RFC 7845 §4.2). */
  preSkip: number;
  serial: number;
  vendor: string;
  comments?: string[];
}

/**
 * Collects Opus packets into Ogg pages. A page's granule position is the number of 48 kHz samples
 * decoded from all packets completed so far (the pre-skip samples are among them, not added on top:
 * RFC 7845 §4 derives the start from the first page, and a granule larger than its packets would say
 * the stream starts late). The last page's granule, pre-skip + the original length, marks the true
 * end so decoders trim the padding of the last frame.
 */
export class OggOpusWriter {
  private readonly pages: Buffer[] = [];
  private sequence = 0;
  private pending: { segments: number[]; parts: Uint8Array[]; bytes: number } = { segments: [], parts: [], bytes: 0 };
  private granule = 0n;

  constructor(private readonly o: OggOpusWriterOptions) {
    const head = Buffer.alloc(19);
    head.write('OpusHead', 0, 'ascii');
    head[8] = 1; // version
    head[9] = o.channels;
    head.writeUInt16LE(o.preSkip, 10);
    head.writeUInt32LE(o.inputSampleRate, 12);
    head.writeInt16LE(0, 16); // output gain
    head[18] = 0; // channel mapping family 0: mono or stereo, no table
    this.pages.push(
      page({
        headerType: HEADER_BOS,
        granule: 0n,
        serial: o.serial,
        sequence: this.sequence++,
        segments: lacing(head.length),
        body: head,
      }),
    );
    const vendor = Buffer.from(o.vendor, 'utf8');
    const comments = (o.comments ?? []).map((c) => Buffer.from(c, 'utf8'));
    const tags = Buffer.concat([
      Buffer.from('OpusTags', 'ascii'),
      u32(vendor.length),
      vendor,
      u32(comments.length),
      ...comments.flatMap((c) => [u32(c.length), c]),
    ]);
    // OpusTags starts on its own page; it is small enough here for one page (< 255 * 255 bytes).
    this.pages.push(
      page({
        headerType: 0,
        granule: 0n,
        serial: o.serial,
        sequence: this.sequence++,
        segments: lacing(tags.length),
        body: tags,
      }),
    );
  }

  /** Adds one packet that decodes to `samples48k` samples (per channel, at 48 kHz). */
  addPacket(packet: Uint8Array, samples48k: number): void {
    const lace = lacing(packet.length);
    if (this.pending.segments.length + lace.length > 255) this.flush(false);
    this.pending.segments.push(...lace);
    this.pending.parts.push(packet);
    this.pending.bytes += packet.length;
    this.granule += BigInt(samples48k);
    // About one second of audio per page keeps the overhead near 0.5 kbit/s and seeking fine-grained.
    if (this.pending.parts.length >= 50) this.flush(false);
  }

  /** Ends the stream: `endGranule` is pre-skip + the original length in 48 kHz samples. */
  finish(endGranule: bigint): Buffer {
    this.granule = endGranule;
    this.flush(true);
    return Buffer.concat(this.pages);
  }

  private flush(last: boolean): void {
    if (this.pending.parts.length === 0 && !last) return;
    this.pages.push(
      page({
        headerType: last ? HEADER_EOS : 0,
        granule: this.granule,
        serial: this.o.serial,
        sequence: this.sequence++,
        segments: this.pending.segments,
        body: Buffer.concat(this.pending.parts),
      }),
    );
    this.pending = { segments: [], parts: [], bytes: 0 };
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}

export class OggFormatError extends Error {}

export interface OggOpusStream {
  channels: number;
  preSkip: number;
  inputSampleRate: number;
  vendor: string;
  /** Audio packets, in order. */
  packets: Buffer[];
  /** Granule position of the last page (48 kHz samples including pre-skip). */
  lastGranule: bigint;
}

/** Parses an Ogg Opus file: checks every page's capture pattern and CRC, reassembles packets. */
export function readOggOpus(file: Uint8Array): OggOpusStream {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  let off = 0;
  let lastGranule = 0n;
  let pageNo = 0;
  while (off < b.length) {
    if (off + 27 > b.length || b.toString('ascii', off, off + 4) !== 'OggS')
      throw new OggFormatError(`page ${pageNo}: no OggS capture pattern at byte ${off}`);
    const nseg = b[off + 26]!;
    const segs = [...b.subarray(off + 27, off + 27 + nseg)];
    const bodyLen = segs.reduce((a, x) => a + x, 0);
    const end = off + 27 + nseg + bodyLen;
    if (end > b.length) throw new OggFormatError(`page ${pageNo}: truncated`);
    const pg = Buffer.from(b.subarray(off, end));
    const crc = pg.readUInt32LE(22);
    pg.writeUInt32LE(0, 22);
    if (oggCrc32(pg) !== crc) throw new OggFormatError(`page ${pageNo}: CRC mismatch`);
    if ((b[off + 5]! & HEADER_CONTINUED) === 0 && partial.length > 0)
      throw new OggFormatError(`page ${pageNo}: unterminated packet before it`);
    lastGranule = b.readBigInt64LE(off + 6);
    let p = off + 27 + nseg;
    for (const s of segs) {
      partial.push(b.subarray(p, p + s));
      p += s;
      if (s < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
    off = end;
    pageNo++;
  }
  const head = packets.shift();
  const tags = packets.shift();
  if (head?.toString('ascii', 0, 8) !== 'OpusHead') throw new OggFormatError('first packet is not OpusHead');
  if (tags?.toString('ascii', 0, 8) !== 'OpusTags') throw new OggFormatError('second packet is not OpusTags');
  const vendorLen = tags.readUInt32LE(8);
  return {
    channels: head[9]!,
    preSkip: head.readUInt16LE(10),
    inputSampleRate: head.readUInt32LE(12),
    vendor: tags.toString('utf8', 12, 12 + vendorLen),
    packets,
    lastGranule,
  };
}
