import type { CallReport, CallReportRow } from '../domain/stats/call-report.ts';
import { csvLine, UTF8_BOM } from '../shared/csv.ts';
import type { CountRow, OrderReport } from './report-service.ts';

export const CALL_TABLES = ['days', 'hours', 'agents'] as const;
export type CallTable = (typeof CALL_TABLES)[number];
export const ORDER_TABLES = ['channel', 'type', 'category', 'area', 'units'] as const;
export type OrderTable = (typeof ORDER_TABLES)[number];

const secs = (ms: number | null) => (ms === null ? '' : (ms / 1000).toFixed(1));
const pct = (x: number | null) => (x === null ? '' : (x * 100).toFixed(1));

const CALL_KEY: Record<CallTable, string> = { days: '日期', hours: '时段', agents: '坐席' };

function callLine(r: CallReportRow, key: string): string {
  return csvLine([
    key,
    r.offered,
    r.answered,
    r.answeredWithinThreshold,
    pct(r.regulatorRate),
    r.abandoned,
    secs(r.averageSpeedOfAnswerMs),
    secs(r.averageHandleTimeMs),
    r.ivr.arrived,
  ]);
}

/** One table of the call report as CSV for Excel: UTF-8 with a BOM, CRLF lines, a total line at the end. */
export function callReportCsv(report: CallReport, table: CallTable): string {
  const threshold = Math.round(report.thresholdMs / 1000);
  const header = csvLine([
    CALL_KEY[table],
    '呼入量',
    '接通量',
    `${threshold}秒内接通量`,
    `${threshold}秒接通率(%)`,
    '放弃量',
    '平均应答时长(秒)',
    '平均处理时长(秒)',
    '进入语音导航',
  ]);
  const rows = report[table].map((r) => callLine(r, table === 'hours' ? `${r.key}:00` : r.key)).join('');
  return UTF8_BOM + header + rows + callLine(report.total, '合计');
}

function countCsv(title: string, rows: CountRow[], total: number): string {
  return (
    csvLine([title, '名称', '工单量', '占比(%)']) +
    rows.map((r) => csvLine([r.key, r.name, r.count, (r.share * 100).toFixed(2)])).join('') +
    csvLine(['合计', '', total, total === 0 ? '' : '100.00'])
  );
}

/** One table of the order report as CSV (UTF-8 with a BOM). */
export function orderReportCsv(report: OrderReport, table: OrderTable): string {
  switch (table) {
    case 'channel':
      return UTF8_BOM + countCsv('渠道', report.byChannel, report.total);
    case 'type':
      return UTF8_BOM + countCsv('类型', report.byType, report.total);
    case 'category':
      return UTF8_BOM + countCsv('分类', report.byCategory, report.total);
    case 'area':
      return UTF8_BOM + countCsv('区域', report.byArea, report.total);
    case 'units': {
      const head = csvLine([
        '承办单位',
        '计入件数',
        '按时签收',
        '按时签收率(%)',
        '按时办结',
        '按时办结率(%)',
        '退单',
        '延期',
      ]);
      const rows = report.units
        .map((u) =>
          csvLine([
            u.unitId,
            u.counted,
            u.signedOnTime,
            pct(u.signOnTimeRate),
            u.completedOnTime,
            pct(u.completionOnTimeRate),
            u.returned,
            u.extended,
          ]),
        )
        .join('');
      const t = report.onTime;
      return (
        UTF8_BOM +
        head +
        rows +
        csvLine([
          '合计',
          '',
          t.signedOnTime,
          pct(t.signOnTimeRate),
          t.completedOnTime,
          pct(t.completionOnTimeRate),
          '',
          '',
        ])
      );
    }
  }
}
