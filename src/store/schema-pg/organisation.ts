// PostgreSQL twin of ../schema/organisation.ts: the same tables and column names, checked by src/store/schema-parity.ts.
// Epoch-millisecond times are bigint (number mode), flags are boolean; comments on the columns live in the SQLite file.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * The hotline's organisation (rules art. 3, 8–11): region → city operating body → county workstations →
 * handling units. County workstations forward and handle city orders but do not take public requests.
 */
export const orgUnits = pgTable(
  'org_units',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(), // region | city | county_workstation | handling_unit
    name: text('name').notNull(),
    parentId: text('parent_id'),
    acceptsPublicRequests: boolean('accepts_public_requests').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('org_units_parent_idx').on(t.parentId)],
);

/** People a unit can be reached at; emergency contacts are phoned at once for emergency orders (art. 25). */
export const orgUnitContacts = pgTable(
  'org_unit_contacts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    unitId: text('unit_id').notNull(),
    name: text('name').notNull(),
    phone: text('phone').notNull(),
    duty: text('duty'),
    emergency: boolean('emergency').notNull().default(false),
    createdAt: bigint('created_at', { mode: 'number' }).notNull().default(sql`0`),
  },
  (t) => [index('org_unit_contacts_unit_idx').on(t.unitId)],
);
