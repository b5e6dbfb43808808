import type { FastifyPluginAsync } from 'fastify';
import { allErrors, mapServiceErrors, openObject, security } from '../work-orders/routes-common.ts';
import {
  CALL_TABLES,
  callReportCsv,
  ORDER_TABLES,
  orderReportCsv,
  type CallTable,
  type OrderTable,
} from './report-csv.ts';
import { reportPeriod } from './report-period.ts';
import type { ReportService } from './report-service.ts';

const periodProps = {
  day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', examples: ['2026-01-05'] },
  month: { type: 'string', pattern: '^\\d{4}-\\d{2}$', examples: ['2026-01'] },
} as const;

type PeriodQuery = { day?: string; month?: string };

/**
 * The supervisors' call and order reports per day or month (docs/reports.md), as JSON for the page
 * `/ui/reports` and as CSV (UTF-8 with a BOM) for Excel. Permission `statistics:read`.
 */
export function reportRoutes(deps: { reports: ReportService }): FastifyPluginAsync {
  const { reports } = deps;
  const csvName = (what: string, label: string, table: string) =>
    `attachment; filename="${what}-${label}-${table}.csv"`;
  return async (app) => {
    mapServiceErrors(app);
    const config = { permission: 'statistics:read' } as const;

    app.get<{ Querystring: PeriodQuery }>(
      '/reports/calls',
      {
        config,
        schema: {
          summary:
            'Call report for a day or a month: offered, answered, answered within 20 s over offered, abandoned, ASA, AHT; per day, hour of day and agent',
          tags: ['reports'],
          security,
          querystring: { type: 'object', additionalProperties: false, properties: periodProps },
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => ({
        period: reportPeriod(request.query),
        ...(await reports.calls(reportPeriod(request.query))),
      }),
    );

    app.get<{ Querystring: PeriodQuery & { table: CallTable } }>(
      '/reports/calls.csv',
      {
        config,
        schema: {
          summary: 'One table of the call report as CSV (UTF-8 with BOM)',
          tags: ['reports'],
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['table'],
            properties: { ...periodProps, table: { type: 'string', enum: [...CALL_TABLES] } },
          },
          response: { 200: { type: 'string' }, ...allErrors },
        },
      },
      async (request, reply) => {
        const period = reportPeriod(request.query);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', csvName('calls', period.label, request.query.table))
          .send(callReportCsv(await reports.calls(period), request.query.table));
      },
    );

    app.get<{ Querystring: PeriodQuery }>(
      '/reports/orders',
      {
        config,
        schema: {
          summary:
            'Order report for a day or a month: intakes by channel, type, category and area (art. 17, 20); on-time signing and completion (art. 26, 30)',
          tags: ['reports'],
          security,
          querystring: { type: 'object', additionalProperties: false, properties: periodProps },
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => reports.orders(reportPeriod(request.query)),
    );

    app.get<{ Querystring: PeriodQuery & { table: OrderTable } }>(
      '/reports/orders.csv',
      {
        config,
        schema: {
          summary: 'One table of the order report as CSV (UTF-8 with BOM)',
          tags: ['reports'],
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['table'],
            properties: { ...periodProps, table: { type: 'string', enum: [...ORDER_TABLES] } },
          },
          response: { 200: { type: 'string' }, ...allErrors },
        },
      },
      async (request, reply) => {
        const period = reportPeriod(request.query);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', csvName('orders', period.label, request.query.table))
          .send(orderReportCsv(await reports.orders(period), request.query.table));
      },
    );
  };
}
