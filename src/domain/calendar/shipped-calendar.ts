import national2025 from './data/national-2025.json' with { type: 'json' };
import national2026 from './data/national-2026.json' with { type: 'json' };
import guangxi2025 from './data/guangxi-2025.json' with { type: 'json' };
import guangxi2026 from './data/guangxi-2026.json' with { type: 'json' };
import { WorkingCalendar } from './working-calendar.ts';

/** The schedules shipped with the server, as plain data (validated when a calendar is built from them). */
export const shippedSchedules: readonly unknown[] = [national2025, national2026, guangxi2025, guangxi2026];

/**
 * The calendar from the shipped data. `regions` lists the regional additions that apply; the Guangxi hotline
 * applies `['guangxi']` (壮族三月三), a hotline elsewhere applies none.
 */
export function shippedCalendar(regions: readonly string[] = []): WorkingCalendar {
  return WorkingCalendar.create(shippedSchedules, { regions });
}
