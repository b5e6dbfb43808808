/**
 * A minimal POSIX ustar writer for the evidence package: regular files only, names under 100 bytes.
 * Tar rather than zip because any third party can open it with `tar -xf` and no compression library
 * is needed (the audio is already as small as it will get).
 */
export interface TarEntry {
  name: string;
  data: Uint8Array;
  /** Modification time, epoch ms. */
  mtime: number;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(e: TarEntry): Buffer {
  const h = Buffer.alloc(512, 0);
  const name = Buffer.from(e.name, 'utf8');
  if (name.length > 99) throw new Error(`tar entry name too long: ${e.name}`);
  name.copy(h, 0);
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(e.data.length, 12), 124, 'ascii');
  h.write(octal(Math.floor(e.mtime / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum field counts as spaces while summing
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

export function tar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e), Buffer.from(e.data));
    const pad = (512 - (e.data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}

/**
 * Reads a ustar archive as written above (regular files only), checking each header's checksum.
 * Throws on a truncated or malformed archive, naming the entry.
 */
export function untar(buf: Uint8Array): Map<string, Buffer> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Map<string, Buffer>();
  for (let off = 0; off + 512 <= b.length; ) {
    const h = b.subarray(off, off + 512);
    if (h.every((x) => x === 0)) return out;
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/s, ''), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== Number.parseInt(h.subarray(148, 156).toString('ascii'), 8))
      throw new Error(`tar header of ${JSON.stringify(name)} is corrupt (checksum)`);
    if (!Number.isFinite(size) || off + 512 + size > b.length)
      throw new Error(`tar entry ${JSON.stringify(name)} is truncated`);
    if (out.has(name)) throw new Error(`tar entry ${JSON.stringify(name)} appears twice`);
    out.set(name, Buffer.from(b.subarray(off + 512, off + 512 + size)));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('tar archive has no end marker (truncated)');
}
