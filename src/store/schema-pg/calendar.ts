// PostgreSQL twin of ../schema/calendar.ts: the same tables and column names, checked by src/store/schema-parity.ts.
// Epoch-millisecond times are bigint (number mode), flags are boolean; comments on the columns live in the SQLite file.
import { bigint, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * Working-day calendar years added through the admin API (issue 3 item 6). Shipped years live as data files
 * in the domain; rows here add years (national) or regional additions (e.g. Guangxi's 三月三).
 */
export const calendarYears = pgTable(
  'calendar_years',
  {
    year: bigint('year', { mode: 'number' }).notNull(),
    scope: text('scope').notNull(), // national | region code such as "guangxi"
    data: text('data').notNull(), // JSON: { holidays: string[], workdays: string[], source?: string }
    addedBy: text('added_by').notNull(),
    addedAt: bigint('added_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.year, t.scope] })],
);
