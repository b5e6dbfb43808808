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
