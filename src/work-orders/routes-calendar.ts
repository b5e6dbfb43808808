import type { FastifyPluginAsync } from 'fastify';
import { isWorkingDay } from '../domain/calendar/working-calendar.ts';
import type { CalendarService } from './calendar-service.ts';
import { badInput } from './service-error.ts';
import { allErrors, caller, mapServiceErrors, openObject, security, text } from './routes-common.ts';

const date = { type: 'string', format: 'date' } as const;

/** The working-day calendar: what is loaded, a day's status, and the admin API to add a year (issue 3 item 6). */
export function calendarRoutes(deps: { calendar: CalendarService }): FastifyPluginAsync {
  const { calendar } = deps;
  const tags = ['calendar'];
  return async (app) => {
    mapServiceErrors(app);

    app.get(
      '/calendar',
      {
        config: { permission: 'calendar:read' },
        schema: {
          summary: 'Loaded schedules, covered years, applied regions and provisional-deadline alerts',
          tags,
          security,
          response: { 200: openObject, ...allErrors },
        },
      },
      async () => ({
        regions: calendar.calendar.regions,
        coveredYears: calendar.calendar.coveredYears(),
        schedules: calendar.calendar.listSchedules(),
        alerts: calendar.alerts(),
      }),
    );

    app.get<{ Params: { date: string } }>(
      '/calendar/days/:date',
      {
        config: { permission: 'calendar:read' },
        schema: {
          summary: 'Whether a date (Asia/Shanghai) is a working day, and why',
          tags,
          security,
          params: { type: 'object', additionalProperties: false, required: ['date'], properties: { date } },
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => {
        const info = calendar.calendar.dayInfo(request.params.date);
        return { ...info, working: isWorkingDay(calendar.calendar, request.params.date).working };
      },
    );

    app.post<{
      Body: {
        year: number;
        region?: string;
        source?: string;
        holidays: { name: string; from: string; to: string }[];
        makeUpWorkdays: string[];
        replace?: boolean;
      };
    }>(
      '/calendar/years',
      {
        config: { permission: 'calendar:manage' },
        schema: {
          summary:
            "Add a year's holidays and make-up working days (national or a region's additions); replace: true corrects a loaded year",
          tags,
          security,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['year', 'holidays', 'makeUpWorkdays'],
            properties: {
              year: { type: 'integer', minimum: 2000, maximum: 2200 },
              region: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$' },
              source: text(500),
              holidays: {
                type: 'array',
                maxItems: 60,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name', 'from', 'to'],
                  properties: { name: text(100), from: date, to: date },
                },
              },
              makeUpWorkdays: { type: 'array', maxItems: 30, items: date },
              replace: { type: 'boolean' },
            },
          },
          response: { 201: openObject, ...allErrors },
        },
      },
      async (request, reply) => {
        const c = caller(request);
        const { replace, ...schedule } = request.body;
        if (
          schedule.holidays.length === 0 &&
          schedule.makeUpWorkdays.length === 0 &&
          (schedule.region ?? 'national') === 'national'
        ) {
          throw badInput('empty-calendar', 'body.holidays: a national year without any holiday is not plausible');
        }
        return reply
          .code(201)
          .send(
            await calendar.addYear({ region: 'national', ...schedule }, { id: c.id, role: c.role }, replace ?? false),
          );
      },
    );
  };
}
