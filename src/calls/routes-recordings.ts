import type { FastifyPluginAsync } from 'fastify';
import type { RecordingArchive } from '../recordings/archive.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditEntry } from '../store/audit-repo.ts';
import type { RecordingsRepo } from '../store/recordings-repo.ts';
import type { RecordingRow } from '../store/schema/calls.ts';
import { errorResponses, errorSchema } from '../http/error-schema.ts';
import { HttpError } from '../http/error-handler.ts';

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
  recordings: RecordingsRepo;
  archive: RecordingArchive;
  clock: Clock;
  audit?: { append(e: AuditEntry): Promise<number> };
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
              from: { type: 'integer', minimum: 0 },
              to: { type: 'integer', minimum: 0 },
              callId: { type: 'string', minLength: 1, maxLength: 64 },
              limit: { type: 'integer', minimum: 1, maximum: 1000 },
              offset: { type: 'integer', minimum: 0 },
            },
          },
          response: { ...errorResponses },
        },
      },
      async (request) => deps.recordings.list(request.query).map(view),
    );

    app.get<{ Params: { name: string } }>(
      '/recordings/:name',
      {
        config: { permission: 'recordings:read' },
        schema: { summary: 'One recording: checksum, duration, retention', tags: ['recordings'], security: [{ bearer: [] }], params: nameParams, response: { ...errorResponses, 404: errorSchema } },
      },
      async (request) => {
        const row = deps.recordings.get(request.params.name);
        if (!row) throw new HttpError(404, 'recording-not-found', `recording ${request.params.name} does not exist`);
        return view(row);
      },
    );

    app.get<{ Params: { name: string } }>(
      '/recordings/:name/file',
      {
        config: { permission: 'recordings:read' },
        schema: {
          summary: 'Download the archived WAV (header X-Content-SHA256 carries the stored checksum)',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: nameParams,
          response: { ...errorResponses, 404: errorSchema, 409: errorSchema },
        },
      },
      async (request, reply) => {
        const row = deps.recordings.get(request.params.name);
        if (!row) throw new HttpError(404, 'recording-not-found', `recording ${request.params.name} does not exist`);
        if (row.status !== 'archived') throw new HttpError(409, 'not-archived', `recording ${row.name} is ${row.status}, not archived yet`);
        const stream = deps.archive.openFile(row);
        if (!stream) throw new HttpError(404, 'file-missing', `the archived file of ${row.name} is missing`);
        await deps.audit?.append({
          entity: 'recording',
          entityId: row.name,
          action: 'download',
          actorId: request.principal!.username,
          actorRole: request.principal!.role,
          at: deps.clock.now(),
          data: { callId: row.callId, sha256: row.sha256 },
        });
        return reply
          .type('audio/wav')
          .header('content-length', String(row.bytes ?? ''))
          .header('x-content-sha256', row.sha256 ?? '')
          .header('content-disposition', `attachment; filename="${row.name}.wav"`)
          .send(stream);
      },
    );
  };
}
