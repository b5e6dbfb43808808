import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './error-handler.ts';

/**
 * A single byte range of `Range: bytes=…` (RFC 9110 §14.1.2): `start-end`, `start-` or `-suffix`.
 * Returns null when there is no usable Range header (serve the whole file), 'unsatisfiable' when it
 * lies outside the file. Several ranges are answered with the whole file, as the RFC allows.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * Sends a file, honouring one byte range (206) so a browser's <audio> element can seek; without a
 * Range header the whole file (200). `Accept-Ranges: bytes` tells the browser it may ask.
 */
export async function sendRangedFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: { path: string; type: string; filename: string; headers?: Record<string, string> },
): Promise<FastifyReply> {
  let size: number;
  try {
    size = (await stat(file.path)).size;
  } catch {
    throw new HttpError(404, 'file-missing', `the archived file ${file.filename} is missing`);
  }
  const range = parseRange(request.headers.range, size);
  reply
    .type(file.type)
    .header('accept-ranges', 'bytes')
    .header('content-disposition', `attachment; filename="${file.filename}"`);
  for (const [k, v] of Object.entries(file.headers ?? {})) reply.header(k, v);
  if (range === 'unsatisfiable') {
    return reply
      .code(416)
      .header('content-range', `bytes */${size}`)
      .type('application/json')
      .send({
        statusCode: 416,
        error: 'Range Not Satisfiable',
        code: 'range-not-satisfiable',
        message: `the range ${request.headers.range} lies outside the file (${size} bytes)`,
      });
  }
  if (range === null) return reply.header('content-length', String(size)).send(createReadStream(file.path));
  return reply
    .code(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
    .header('content-length', String(range.end - range.start + 1))
    .send(createReadStream(file.path, { start: range.start, end: range.end }));
}
