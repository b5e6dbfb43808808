import { DAY_MS, dayNumberOf, isCivilDate, startOfShanghaiDay } from '../domain/calendar/civil-date.ts';
import { badInput } from '../work-orders/service-error.ts';

export interface ReportPeriod {
  /** `YYYY-MM-DD` or `YYYY-MM`. */
  label: string;
  kind: 'day' | 'month';
  from: number;
  /** Exclusive. */
  to: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A report's period from `day=YYYY-MM-DD` or `month=YYYY-MM` (Asia/Shanghai days); exactly one of them. */
export function reportPeriod(q: { day?: string; month?: string }): ReportPeriod {
  if ((q.day === undefined) === (q.month === undefined))
    throw badInput(
      'period-required',
      'give exactly one of querystring.day (YYYY-MM-DD) or querystring.month (YYYY-MM)',
    );
  if (q.day !== undefined) {
    if (!isCivilDate(q.day)) throw badInput('invalid-date', 'querystring.day must be a date YYYY-MM-DD');
    const from = startOfShanghaiDay(dayNumberOf(q.day));
    return { label: q.day, kind: 'day', from, to: from + DAY_MS };
  }
  const m = MONTH.exec(q.month!);
  if (!m) throw badInput('invalid-month', 'querystring.month must be a month YYYY-MM');
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const next = mo === 12 ? `${y + 1}-01-01` : `${y}-${String(mo + 1).padStart(2, '0')}-01`;
  return {
    label: q.month!,
    kind: 'month',
    from: startOfShanghaiDay(dayNumberOf(`${q.month!}-01`)),
    to: startOfShanghaiDay(dayNumberOf(next)),
  };
}
