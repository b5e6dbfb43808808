import { Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FastifyPluginAsync } from 'fastify';
import { can } from '../../auth/principal.ts';
import type { Clock } from '../../shared/clock.ts';
import { csvLine, UTF8_BOM } from '../../shared/csv.ts';
import { maskPhone } from '../../shared/phone-mask.ts';
import type { AuditEntry } from '../../store/audit-repo.ts';
import type { CallExportReader, ExportCallRow, ExportFilter } from '../../store/call-export-repo.ts';
import { errorResponses } from '../error-schema.ts';
import { HttpError } from '../error-handler.ts';
import { epochMsSchema } from '../number-bounds.ts';

/** An instant as ISO-8601 in the hotline's time (Asia/Shanghai, +08:00, no DST), which Excel reads as text. */
function shanghai(ms: number | null): string {
  return ms === null ? '' : new Date(ms + 8 * 3600_000).toISOString().replace('Z', '+08:00');
}

const HEADER = [
  '通话编号',
  '来电时间',
  '主叫号码',
  '被叫号码',
  '离开语音导航',
  '进入排队',
  '服务台',
  '接通时间',
  '结束时间',
  '结果',
  '坐席',
  '接通用时（秒）',
  '超时时刻',
  '未接听次数',
  '重复来电',
  '转出号码',
  '应急录音来电',
  '关联工单',
];

function line(r: ExportCallRow, full: boolean): string {
  const number = (n: string | null) => (n === null ? '' : full ? n : maskPhone(n));
  return csvLine([
    r.id,
    shanghai(r.arrived_at),
    number(r.caller_number),
    r.dialed_number,
    shanghai(r.ivr_exit_at),
    shanghai(r.queued_at),
    r.skill,
    shanghai(r.answered_at),
    shanghai(r.ended_at),
    r.outcome,
    r.agent_id,
    r.answer_ms === null ? '' : (r.answer_ms / 1000).toFixed(1),
    shanghai(r.breach_at),
    r.rona_count,
    r.repeat_caller ? '是' : '否',
    number(r.transfer_number),
    r.fallback ? '是' : '否',
    r.work_orders,
  ]);
}

/** The CSV body, produced one page of rows at a time so a year of calls is never held in memory. */
async function* csvBody(repo: CallExportReader, filter: ExportFilter, full: boolean): AsyncGenerator<string> {
  yield UTF8_BOM + csvLine(HEADER);
  for await (const page of repo.pages(filter)) {
    yield page.map((r) => line(r, full)).join('');
    // Let calls and other requests run between pages.
    await yieldToEventLoop();
  }
}

/**
 * `GET /calls/export.csv` (issue 11 item 6): the call detail records for Excel, UTF-8 with a BOM (Excel
 * otherwise reads Chinese as GBK), streamed. Same roles and the same date filters as `GET /calls`;
 * numbers masked unless `phone:see-full` (art. 22). Each export is written to the audit log.
 */
export function callsExportRoutes(deps: {
  repo: CallExportReader;
  clock: Clock;
  audit?: { append(e: AuditEntry): Promise<number> };
}): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { from?: number; to?: number } }>(
      '/calls/export.csv',
      {
        config: { permission: 'calls:read' },
        schema: {
          summary:
            'Export call detail records as CSV (UTF-8 with BOM, for Excel), newest first; from/to as in GET /calls',
          tags: ['calls'],
          security: [{ bearer: [] }],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              from: { ...epochMsSchema, description: 'arrived at or after (epoch ms)' },
              to: { ...epochMsSchema, description: 'arrived before (epoch ms)' },
            },
          },
          response: {
            200: { description: 'CSV, UTF-8 with BOM', content: { 'text/csv': { schema: { type: 'string' } } } },
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const q = request.query;
        if (q.from !== undefined && q.to !== undefined && q.to < q.from)
          throw new HttpError(400, 'invalid-range', 'to must not be before from');
        const full = can(request.principal, 'phone:see-full');
        await deps.audit?.append({
          entity: 'calls',
          entityId: 'export',
          action: 'export-csv',
          actorId: request.principal!.username,
          actorRole: request.principal!.role,
          at: deps.clock.now(),
          data: { from: q.from ?? null, to: q.to ?? null, fullNumbers: full },
        });
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="calls.csv"')
          .header('cache-control', 'no-store')
          .send(Readable.from(csvBody(deps.repo, { from: q.from, to: q.to }, full)));
      },
    );
  };
}
