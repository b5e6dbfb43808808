import type { FastifyPluginAsync } from 'fastify';
import { roleHas } from '../auth/permissions.ts';
import { minutesOf, shanghaiDate, shanghaiMidnight, spanOf, type RotaEntry } from '../domain/acd/rota.ts';
import { errorResponses, errorSchema } from '../http/error-schema.ts';
import { HttpError } from '../http/error-handler.ts';
import { idSchema } from '../http/number-bounds.ts';
import type { Clock } from '../shared/clock.ts';
import type { RotaRepo } from '../store/rota-repo.ts';
import type { Role } from '../store/schema/users.ts';

const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const TIME = { type: 'string', pattern: '^\\d{2}:\\d{2}$' } as const;

interface NewEntry {
  date: string;
  startTime: string;
  endTime: string;
  username: string;
  seat: string;
  skill?: string | null;
}

/**
 * The leader rota (art. 23), kept by admins: `GET /rota` (supervisors and admins), `POST /rota`,
 * `DELETE /rota/:id` (admins, audited). Every change is handed to the call domain at once.
 */
export function rotaRoutes(deps: {
  repo: RotaRepo;
  clock: Clock;
  skills: readonly string[];
  /** The role of a user name, undefined when there is no such enabled user. */
  roleOf: (username: string) => Role | undefined | Promise<Role | undefined>;
  /** Hands the new rota to the call domain; awaited, so the answer comes after the domain has it. */
  changed: () => Promise<void>;
}): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { from: string; to: string } }>(
      '/rota',
      {
        config: { permission: 'calls:monitor' },
        schema: {
          summary: 'The leader rota between two dates (Asia/Shanghai), inclusive',
          tags: ['rota'],
          security: [{ bearer: [] }],
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'to'],
            properties: { from: DATE, to: DATE },
          },
          response: { ...errorResponses },
        },
      },
      async (request) => {
        const { from, to } = request.query;
        if (shanghaiMidnight(from) === undefined || shanghaiMidnight(to) === undefined)
          throw new HttpError(400, 'bad-date', `from and to must be real dates (got ${from}, ${to})`);
        return await deps.repo.between(from, to);
      },
    );

    app.post<{ Body: NewEntry }>(
      '/rota',
      {
        config: { permission: 'rota:manage' },
        schema: {
          summary: 'Put a leader on the rota: date, time span, seat and desk (null = every desk)',
          tags: ['rota'],
          security: [{ bearer: [] }],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['date', 'startTime', 'endTime', 'username', 'seat'],
            properties: {
              date: DATE,
              startTime: TIME,
              endTime: TIME,
              username: { type: 'string', minLength: 1, maxLength: 64 },
              seat: { type: 'string', pattern: '^[0-9A-Za-z_-]{1,32}$' },
              skill: { type: ['string', 'null'], maxLength: 64 },
            },
          },
          response: { ...errorResponses, 409: errorSchema },
        },
      },
      async (request, reply) => {
        const b = request.body;
        if (shanghaiMidnight(b.date) === undefined) throw new HttpError(400, 'bad-date', `${b.date} is not a date`);
        const start = minutesOf(b.startTime);
        const end = minutesOf(b.endTime);
        if (start === undefined || start >= 24 * 60)
          throw new HttpError(400, 'bad-time', `startTime ${b.startTime} is not a time between 00:00 and 23:59`);
        if (end === undefined) throw new HttpError(400, 'bad-time', `endTime ${b.endTime} is not a time up to 24:00`);
        if (end === start) throw new HttpError(400, 'bad-time', 'startTime and endTime must differ');
        const skill = b.skill ?? null;
        if (skill !== null && !deps.skills.includes(skill))
          throw new HttpError(400, 'unknown-skill', `unknown desk ${skill} (known: ${deps.skills.join(', ')})`);
        const role = await deps.roleOf(b.username);
        if (role === undefined) throw new HttpError(400, 'unknown-user', `no enabled user ${b.username}`);
        if (!roleHas(role, 'calls:take'))
          throw new HttpError(400, 'cannot-take-calls', `${b.username} (${role}) cannot sign in to take calls`);
        const entry: RotaEntry = { id: 0, ...b, skill };
        const span = spanOf(entry);
        // The same leader cannot be on duty twice at once (neighbouring days included: overnight spans).
        const day = shanghaiMidnight(b.date)!;
        const near = await deps.repo.between(shanghaiDate(day - 86_400_000), shanghaiDate(day + 86_400_000));
        const clash = near.find((r) => {
          if (r.username !== b.username) return false;
          const s = spanOf(r);
          return s.from < span.to && span.from < s.to;
        });
        if (clash)
          throw new HttpError(
            409,
            'rota-overlap',
            `${b.username} is already on the rota ${clash.date} ${clash.startTime}–${clash.endTime} (entry ${clash.id})`,
          );
        const p = request.principal!;
        const now = deps.clock.now();
        const row = await deps.repo.add({ ...b, skill, createdBy: p.username, createdAt: now }, (id) => ({
          entity: 'leader-rota',
          entityId: String(id),
          action: 'rota-add',
          actorId: p.username,
          actorRole: p.role,
          at: now,
          data: { date: b.date, startTime: b.startTime, endTime: b.endTime, username: b.username, seat: b.seat, skill },
        }));
        await deps.changed();
        return reply.code(201).send(row);
      },
    );

    app.delete<{ Params: { id: number } }>(
      '/rota/:id',
      {
        config: { permission: 'rota:manage' },
        schema: {
          summary: 'Take an entry off the leader rota',
          tags: ['rota'],
          security: [{ bearer: [] }],
          params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: idSchema } },
          response: { ...errorResponses, 404: errorSchema },
        },
      },
      async (request, reply) => {
        const p = request.principal!;
        const row = await deps.repo.get(request.params.id);
        if (!row) throw new HttpError(404, 'not-found', `no rota entry ${request.params.id}`);
        await deps.repo.remove(row.id, {
          entity: 'leader-rota',
          entityId: String(row.id),
          action: 'rota-remove',
          actorId: p.username,
          actorRole: p.role,
          at: deps.clock.now(),
          data: { date: row.date, startTime: row.startTime, endTime: row.endTime, username: row.username },
        });
        await deps.changed();
        return reply.code(204).send();
      },
    );
  };
}
