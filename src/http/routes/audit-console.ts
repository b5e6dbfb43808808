import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { can } from '../../auth/principal.ts';
import type { Principal } from '../../auth/principal.ts';
import { ArchivedFileTampered, buildEvidencePackage } from '../../audit-console/evidence-package.ts';
import type { PlaybackTickets } from '../../audit-console/playback-ticket.ts';
import { callTimeline, ivrChoices } from '../../audit-console/timeline.ts';
import type { Clock } from '../../shared/clock.ts';
import { maskPhone } from '../../shared/phone-mask.ts';
import type { AccessLogReader } from '../../store/access-log-repo.ts';
import type { AuditEntry } from '../../store/audit-repo.ts';
import type { CallRecords } from '../../store/call-records.ts';
import {
  SearchFilterUnavailable,
  type RecordingSearch,
  type RecordingSearchReader,
} from '../../store/recording-search-repo.ts';
import type { RecordingsStore } from '../../store/recordings-store.ts';
import type { RecordingRow } from '../../store/schema/calls.ts';
import { errorResponses, errorSchema } from '../error-schema.ts';
import { HttpError } from '../error-handler.ts';
import { epochMsSchema, idSchema } from '../number-bounds.ts';
import { sendRangedFile } from '../ranged-file.ts';
import { audioType } from '../../recordings/audio-type.ts';

export interface AuditConsoleDeps {
  search: RecordingSearchReader;
  accessLog: AccessLogReader;
  calls: CallRecords;
  recordings: RecordingsStore;
  /** Absolute path of a recording's archived file, or null (RecordingArchive.resolveFile). */
  resolveFile: (row: RecordingRow) => string | null;
  tickets: PlaybackTickets;
  clock: Clock;
  audit: { append(e: AuditEntry): Promise<number> };
  /** A linked work order as `who` may see it (masked, confidential ones withheld), or null when it does not exist. */
  workOrder?: (id: string, who: Principal) => Promise<unknown>;
}

const nameParams = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' } },
} as const;

interface SearchQuery {
  number?: string;
  last4?: string;
  agent?: string;
  workOrder?: string;
  from?: number;
  to?: number;
  minDurationMs?: number;
  maxDurationMs?: number;
  outcome?: string;
  fallback?: boolean;
  held?: boolean;
  cursor?: string;
  limit?: number;
}

/** No call lasts a week; a larger bound is a typo, refused with a 400 naming the parameter. */
const MAX_DURATION_MS = 7 * 86_400_000;

const searchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    number: { type: 'string', pattern: '^\\+?[0-9]{3,20}$', description: 'the full caller number' },
    last4: {
      type: 'string',
      pattern: '^[0-9]{4}$',
      description: 'the last 4 digits of a caller number of 8 digits or more',
    },
    agent: { type: 'string', minLength: 1, maxLength: 64 },
    workOrder: { type: 'string', minLength: 1, maxLength: 64 },
    from: { ...epochMsSchema, description: 'the call arrived at or after (epoch ms)' },
    to: { ...epochMsSchema, description: 'the call arrived before (epoch ms)' },
    minDurationMs: { type: 'integer', minimum: 0, maximum: MAX_DURATION_MS },
    maxDurationMs: { type: 'integer', minimum: 0, maximum: MAX_DURATION_MS },
    outcome: { type: 'string', pattern: '^[a-z_]{1,40}$' },
    fallback: {
      type: 'boolean',
      description: 'only calls answered by the dialplan fallback (true) or only the others (false)',
    },
    held: { type: 'boolean', description: 'under legal hold (POST /recordings/:name/hold)' },
    cursor: { type: 'string', minLength: 1, maxLength: 300, description: 'nextCursor of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: 200 },
  },
} as const;

function encodeCursor(arrivedAt: number, name: string): string {
  return Buffer.from(JSON.stringify([arrivedAt, name])).toString('base64url');
}

function decodeCursor(cursor: string): { arrivedAt: number; name: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && typeof v[1] === 'string')
      return { arrivedAt: v[0] as number, name: v[1] };
  } catch {
    // fall through
  }
  throw new HttpError(400, 'invalid-cursor', 'cursor is not a nextCursor this server returned');
}

/** Filters as written to the audit log: never a full phone number (art. 22). */
function loggedFilters(q: SearchQuery): Record<string, unknown> {
  const { cursor: _c, ...rest } = q;
  return { ...rest, ...(q.number ? { number: maskPhone(q.number) } : {}), page: q.cursor ? 'next' : 'first' };
}

/**
 * The auditor console's API (issue 11 item 5, docs/audit-console.md): search recordings, read a call's
 * timeline, play with seeking, download an evidence package, and read the access log. Every search,
 * view, playback and package is appended to the audit log.
 */
export function auditConsoleRoutes(deps: AuditConsoleDeps): FastifyPluginAsync {
  const seesFull = (r: FastifyRequest) => can(r.principal, 'phone:see-full');
  const audit = (request: FastifyRequest, entityId: string, action: string, data: Record<string, unknown>) =>
    deps.audit.append({
      entity: 'recording',
      entityId,
      action,
      actorId: request.principal!.username,
      actorRole: request.principal!.role,
      at: deps.clock.now(),
      data,
    });
  const archivedRow = async (name: string): Promise<RecordingRow> => {
    const row = await deps.recordings.get(name);
    if (!row) throw new HttpError(404, 'recording-not-found', `recording ${name} does not exist`);
    return row;
  };
  const archivedFile = (row: RecordingRow): string => {
    if (row.status !== 'archived')
      throw new HttpError(409, 'not-archived', `recording ${row.name} is ${row.status}, not archived yet`);
    const abs = deps.resolveFile(row);
    if (!abs || !existsSync(abs))
      throw new HttpError(404, 'file-missing', `the archived file of ${row.name} is missing`);
    return abs;
  };
  const details = async (request: FastifyRequest, row: RecordingRow) => {
    const full = seesFull(request);
    const mask = (n: string) => (full ? n : maskPhone(n));
    const call = await deps.calls.getCall(row.callId);
    if (!call)
      throw new HttpError(404, 'call-not-found', `the call ${row.callId} of recording ${row.name} does not exist`);
    const [legs, ids] = await Promise.all([deps.calls.legs(call.id), deps.calls.workOrdersOf(call.id)]);
    const workOrders = [];
    for (const id of ids)
      workOrders.push(
        deps.workOrder ? ((await deps.workOrder(id, request.principal!)) ?? { id, missing: true }) : { id },
      );
    const { path: _p, ...recording } = row;
    return {
      recording,
      call: {
        ...call,
        callerNumber: mask(call.callerNumber),
        transferNumber: call.transferNumber === null ? null : mask(call.transferNumber),
        ivrPath: ivrChoices(call.ivrPath),
      },
      legs: legs.map((l) => ({ ...l, number: l.number === null ? null : mask(l.number) })),
      timeline: callTimeline(call, legs, mask),
      workOrders,
    };
  };

  return async (app) => {
    app.get<{ Querystring: SearchQuery }>(
      '/recordings/search',
      {
        config: { permission: 'recordings:read' },
        schema: {
          summary:
            'Search recordings (newest call first, keyset pages): by full number or its last 4 digits, agent, work order, date, duration, outcome, fallback, held',
          description:
            'Numbers in the results are masked unless the role holds phone:see-full. Each search is written to the access log.',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          querystring: searchQuery,
          response: { ...errorResponses },
        },
      },
      async (request) => {
        const q = request.query;
        if (q.number !== undefined && q.last4 !== undefined)
          throw new HttpError(400, 'number-and-last4', 'give number or last4, not both');
        if (q.from !== undefined && q.to !== undefined && q.to < q.from)
          throw new HttpError(400, 'invalid-range', 'to must not be before from');
        if (q.minDurationMs !== undefined && q.maxDurationMs !== undefined && q.maxDurationMs < q.minDurationMs) {
          throw new HttpError(400, 'invalid-duration-range', 'maxDurationMs must not be below minDurationMs');
        }
        const limit = q.limit ?? 50;
        const filter: RecordingSearch = {
          number: q.number,
          last4: q.last4,
          agentId: q.agent,
          workOrderId: q.workOrder,
          from: q.from,
          to: q.to,
          minDurationMs: q.minDurationMs,
          maxDurationMs: q.maxDurationMs,
          outcome: q.outcome,
          fallback: q.fallback,
          held: q.held,
          after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
          limit,
        };
        let hits;
        try {
          hits = await deps.search.search(filter);
        } catch (err) {
          if (err instanceof SearchFilterUnavailable) throw new HttpError(400, 'filter-unavailable', err.message);
          throw err;
        }
        await audit(request, '*', 'search', { ...loggedFilters(q), results: hits.length });
        const full = seesFull(request);
        const last = hits[hits.length - 1];
        return {
          items: hits.map((h) => ({ ...h, callerNumber: full ? h.callerNumber : maskPhone(h.callerNumber) })),
          nextCursor: hits.length === limit && last ? encodeCursor(last.arrivedAt, last.name) : null,
          heldFilter: deps.search.hasHeld,
        };
      },
    );

    app.get<{
      Querystring: {
        actor?: string;
        recording?: string;
        action?: string;
        from?: number;
        to?: number;
        before?: number;
        limit?: number;
      };
    }>(
      '/recordings/access-log',
      {
        config: { permission: 'recordings:access-log' },
        schema: {
          summary:
            'Who searched, viewed, listened to, downloaded or packaged which recording, and who exported the CDR; newest first',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              actor: { type: 'string', minLength: 1, maxLength: 64 },
              recording: { type: 'string', minLength: 1, maxLength: 128 },
              action: { type: 'string', pattern: '^[a-z-]{1,40}$' },
              from: epochMsSchema,
              to: epochMsSchema,
              before: { ...idSchema, description: 'nextBefore of the previous page' },
              limit: { type: 'integer', minimum: 1, maximum: 200 },
            },
          },
          response: { ...errorResponses },
        },
      },
      async (request) => {
        const q = request.query;
        const limit = q.limit ?? 50;
        const items = await deps.accessLog.list({
          actorId: q.actor,
          recording: q.recording,
          action: q.action,
          from: q.from,
          to: q.to,
          beforeId: q.before,
          limit,
        });
        const last = items[items.length - 1];
        return { items, nextBefore: items.length === limit && last ? last.id : null };
      },
    );

    app.get<{ Params: { name: string } }>(
      '/recordings/:name/details',
      {
        config: { permission: 'recordings:read' },
        schema: {
          summary:
            'A recording with its call, legs, timeline (IVR path, queue, answer, transfers) and work orders; written to the access log',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: nameParams,
          response: { ...errorResponses, 404: errorSchema },
        },
      },
      async (request) => {
        const row = await archivedRow(request.params.name);
        const out = await details(request, row);
        await audit(request, row.name, 'view', { callId: row.callId });
        return out;
      },
    );

    app.post<{ Params: { name: string } }>(
      '/recordings/:name/playback',
      {
        config: { permission: 'recordings:read' },
        schema: {
          summary:
            'Start listening: a ticket URL for the <audio> element (10 minutes, this recording only); written to the access log',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: nameParams,
          body: { type: 'object', additionalProperties: false, properties: {} },
          response: { ...errorResponses, 404: errorSchema, 409: errorSchema },
        },
      },
      async (request) => {
        const row = await archivedRow(request.params.name);
        archivedFile(row);
        const p = request.principal!;
        const { ticket, expiresAt } = deps.tickets.issue(row.name, p.username, p.role);
        await audit(request, row.name, 'listen', { callId: row.callId, sha256: row.sha256 });
        return { url: `/recordings/${encodeURIComponent(row.name)}/stream?ticket=${ticket}`, expiresAt };
      },
    );

    app.get<{ Params: { name: string }; Querystring: { ticket: string } }>(
      '/recordings/:name/stream',
      {
        // The <audio> element cannot send a bearer token: the ticket from POST …/playback is the credential.
        config: { public: true, selfAuthenticated: true },
        schema: {
          summary:
            'The audio for the player, with Range (206) for seeking; needs the ticket from POST /recordings/{name}/playback',
          tags: ['recordings'],
          params: nameParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['ticket'],
            properties: { ticket: { type: 'string', minLength: 1, maxLength: 1000 } },
          },
          response: { 401: errorSchema, 404: errorSchema, 409: errorSchema, 416: errorSchema },
        },
      },
      async (request, reply) => {
        const claims = deps.tickets.verify(request.query.ticket, request.params.name);
        if (!claims)
          throw new HttpError(
            401,
            'invalid-ticket',
            'the playback ticket is invalid, expired or for another recording; start playback again',
          );
        const row = await archivedRow(request.params.name);
        const abs = archivedFile(row);
        return sendRangedFile(request, reply, {
          path: abs,
          type: audioType(abs),
          filename: `${row.name}${extname(abs)}`,
          headers: { 'cache-control': 'private, no-store' },
        });
      },
    );

    app.get<{ Params: { name: string } }>(
      '/recordings/:name/package',
      {
        config: { permission: 'recordings:read' },
        schema: {
          summary:
            'Evidence package (tar): the audio, call.json (call, timeline, work orders), manifest.json with checksums, SHA256SUMS; written to the access log',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: nameParams,
          response: { ...errorResponses, 404: errorSchema, 409: errorSchema },
        },
      },
      async (request, reply) => {
        const row = await archivedRow(request.params.name);
        const abs = archivedFile(row);
        const call = await details(request, row);
        let pkg;
        try {
          pkg = await buildEvidencePackage({
            row,
            audioPath: abs,
            call,
            indexEntry: await deps.recordings.indexEntry(row.name),
            createdBy: { username: request.principal!.username, role: request.principal!.role },
            createdAt: deps.clock.now(),
          });
        } catch (err) {
          if (err instanceof ArchivedFileTampered) {
            request.log.error({ recording: row.name }, 'archived recording does not match its checksum');
            throw new HttpError(409, 'checksum-mismatch', err.message);
          }
          throw err;
        }
        await audit(request, row.name, 'package', {
          callId: row.callId,
          sha256: row.sha256,
          packageSha256: pkg.sha256,
        });
        return reply
          .type('application/x-tar')
          .header('content-disposition', `attachment; filename="${pkg.filename}"`)
          .header('x-content-sha256', pkg.sha256)
          .header('cache-control', 'no-store')
          .send(pkg.body);
      },
    );
  };
}
