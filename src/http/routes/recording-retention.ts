import type { FastifyPluginAsync } from 'fastify';
import type { IntegrityReport } from '../../recordings/integrity.ts';
import type { RecordingRetention } from '../../recordings/retention.ts';
import type { RecordingRow } from '../../store/schema/calls.ts';
import { errorResponses, errorSchema } from '../error-schema.ts';
import { HttpError } from '../error-handler.ts';

const nameParams = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' } },
} as const;

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' }) as const;

const holdView = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    callId: { type: 'string' },
    status: { type: 'string' },
    retainUntil: { type: ['integer', 'null'] },
    heldAt: { type: ['integer', 'null'] },
    heldBy: { type: ['string', 'null'] },
    holdReason: { type: ['string', 'null'] },
    holdCaseRef: { type: ['string', 'null'] },
  },
} as const;

function view(r: RecordingRow) {
  return {
    name: r.name,
    callId: r.callId,
    status: r.status,
    retainUntil: r.retainUntil,
    heldAt: r.heldAt,
    heldBy: r.heldBy,
    holdReason: r.holdReason,
    holdCaseRef: r.holdCaseRef,
  };
}

/**
 * Retention of call recordings (issue 11 items 3 and 4): legal hold and release (supervisors, auditors;
 * both audited), the purge after retain_until (admins; dry run first), and the integrity check.
 */
export function recordingRetentionRoutes(deps: {
  retention: RecordingRetention;
  /** Walks both hash chains and re-hashes files (`files`: how many; 0 = all). */
  verify?: (opts: { files?: number }) => Promise<IntegrityReport>;
}): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: { name: string }; Body: { reason: string; caseRef: string } }>(
      '/recordings/:name/hold',
      {
        config: { permission: 'recordings:hold' },
        schema: {
          summary: 'Place a legal hold: the recording outlives its retention until released (audited)',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: nameParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['reason', 'caseRef'],
            properties: { reason: text(500), caseRef: text(100) },
          },
          response: { 200: holdView, ...errorResponses, 404: errorSchema, 409: errorSchema },
        },
      },
      async (request) => {
        const p = request.principal!;
        const res = await deps.retention.hold(
          request.params.name,
          { reason: request.body.reason.trim(), caseRef: request.body.caseRef.trim() },
          { username: p.username, role: p.role },
        );
        if (res.status === 'not-found')
          throw new HttpError(
            404,
            'recording-not-found',
            `recording ${request.params.name} does not exist (录音不存在)`,
          );
        if (res.status === 'already-held') {
          throw new HttpError(
            409,
            'already-held',
            `recording ${request.params.name} is already held for case ${res.row.holdCaseRef ?? ''} (该录音已处于法律保全中)`,
          );
        }
        return view(res.row);
      },
    );

    app.post<{ Params: { name: string }; Body: { reason: string } }>(
      '/recordings/:name/release',
      {
        config: { permission: 'recordings:hold' },
        schema: {
          summary: 'Release a legal hold; the recording is purged once its retention is over (audited)',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: nameParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['reason'],
            properties: { reason: text(500) },
          },
          response: { 200: holdView, ...errorResponses, 404: errorSchema, 409: errorSchema },
        },
      },
      async (request) => {
        const p = request.principal!;
        const res = await deps.retention.release(
          request.params.name,
          { reason: request.body.reason.trim() },
          { username: p.username, role: p.role },
        );
        if (res.status === 'not-found')
          throw new HttpError(
            404,
            'recording-not-found',
            `recording ${request.params.name} does not exist (录音不存在)`,
          );
        if (res.status === 'not-held')
          throw new HttpError(409, 'not-held', `recording ${request.params.name} is not held (该录音未被保全)`);
        return view(res.row);
      },
    );

    app.post<{ Body: { dryRun: boolean } }>(
      '/recordings/purge',
      {
        config: { permission: 'recordings:purge' },
        schema: {
          summary:
            'Delete recordings past retain_until and not held, in batches (dryRun: only list them); audited with their checksums',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['dryRun'],
            properties: { dryRun: { type: 'boolean' } },
          },
          response: { ...errorResponses },
        },
      },
      async (request) => {
        const p = request.principal!;
        return deps.retention.purge({ dryRun: request.body.dryRun, actor: { username: p.username, role: p.role } });
      },
    );

    const verify = deps.verify;
    if (verify) {
      app.post<{ Body: { files?: number } }>(
        '/recordings/verify',
        {
          config: { permission: 'recordings:verify' },
          schema: {
            summary:
              'Walk the audit and recording-index hash chains and re-hash archived files; names the first mismatch',
            tags: ['recordings'],
            security: [{ bearer: [] }],
            body: {
              type: 'object',
              additionalProperties: false,
              properties: { files: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
            },
            response: { ...errorResponses },
          },
        },
        async (request) => verify({ files: request.body.files }),
      );
    }
  };
}
