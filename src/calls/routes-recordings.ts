import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { RecordingArchive } from '../recordings/archive.ts';
import { audioType } from '../recordings/audio-type.ts';
import type { FileCheck } from '../recordings/integrity.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditEntry } from '../store/audit-repo.ts';
import type { RecordingsStore } from '../store/recordings-store.ts';
import type { RecordingRow } from '../store/schema/calls.ts';
import { errorResponses, errorSchema } from '../http/error-schema.ts';
import { HttpError } from '../http/error-handler.ts';
import { epochMsSchema, offsetSchema } from '../http/number-bounds.ts';
import { sendRangedFile } from '../http/ranged-file.ts';

const nameParams = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' } },
} as const;

function view({ path: _path, ...row }: RecordingRow) {
  return row;
}

/** Auditors list and download archived call recordings (art. 28); every download is audited. */
export function recordingRoutes(deps: {
  recordings: RecordingsStore;
  archive: RecordingArchive;
  clock: Clock;
  audit?: { append(e: AuditEntry): Promise<number> };
  /** Re-hashes the archived file before it is served (issue 11 item 4); raises the alert itself. */
  checkFile?: (row: RecordingRow) => Promise<FileCheck>;
}): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { from?: number; to?: number; callId?: string; limit?: number; offset?: number } }>(
      '/recordings',
      {
        config: { permission: 'recordings:read' },
        schema: {
          summary: 'List recordings, newest first',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              from: epochMsSchema,
              to: epochMsSchema,
              callId: { type: 'string', minLength: 1, maxLength: 64 },
              limit: { type: 'integer', minimum: 1, maximum: 1000 },
              offset: offsetSchema,
            },
          },
          response: { ...errorResponses },
        },
      },
      async (request) => {
        const rows = (await deps.recordings.list(request.query)).map(view);
        // Listing is logged like searching (issue 11 item 5): who looked at which period.
        await deps.audit?.append({
          entity: 'recording',
          entityId: '*',
          action: 'list',
          actorId: request.principal!.username,
          actorRole: request.principal!.role,
          at: deps.clock.now(),
          data: { ...request.query, results: rows.length },
        });
        return rows;
      },
    );

    app.get<{ Params: { name: string } }>(
      '/recordings/:name',
      {
        config: { permission: 'recordings:read' },
        schema: {
          summary: 'One recording: checksum, duration, retention',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: nameParams,
          response: { ...errorResponses, 404: errorSchema },
        },
      },
      async (request) => {
        const row = await deps.recordings.get(request.params.name);
        if (!row) throw new HttpError(404, 'recording-not-found', `recording ${request.params.name} does not exist`);
        return view(row);
      },
    );

    app.get<{ Params: { name: string } }>(
      '/recordings/:name/file',
      {
        config: { permission: 'recordings:read' },
        schema: {
          summary:
            'Download the archived file: Ogg Opus or WAV (header X-Content-SHA256 carries the stored checksum, re-checked before serving); one Range is honoured (206)',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: nameParams,
          response: { ...errorResponses, 404: errorSchema, 409: errorSchema, 416: errorSchema },
        },
      },
      async (request, reply) => {
        const row = await deps.recordings.get(request.params.name);
        if (!row) throw new HttpError(404, 'recording-not-found', `recording ${request.params.name} does not exist`);
        if (row.status !== 'archived')
          throw new HttpError(409, 'not-archived', `recording ${row.name} is ${row.status}, not archived yet`);
        const abs = deps.archive.resolveFile(row);
        if (!abs || !existsSync(abs))
          throw new HttpError(404, 'file-missing', `the archived file of ${row.name} is missing`);
        const check = await deps.checkFile?.(row);
        if (check?.status === 'mismatch') {
          throw new HttpError(
            409,
            'file-tampered',
            `the archived file of ${row.name} does not match its SHA-256; supervisors are alerted (录音文件校验不符)`,
          );
        }
        await deps.audit?.append({
          entity: 'recording',
          entityId: row.name,
          action: 'download',
          actorId: request.principal!.username,
          actorRole: request.principal!.role,
          at: deps.clock.now(),
          data: {
            callId: row.callId,
            sha256: row.sha256,
            ...(request.headers.range ? { range: request.headers.range } : {}),
          },
        });
        // Range requests (206) let a player seek without fetching the whole file.
        return sendRangedFile(request, reply, {
          path: abs,
          type: audioType(abs),
          filename: `${row.name}${extname(abs)}`,
          headers: { 'x-content-sha256': row.sha256 ?? '' },
        });
      },
    );
  };
}
