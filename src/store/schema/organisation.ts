import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The hotline's organisation (rules art. 3, 8–11): region → city operating body → county workstations →
 * handling units. County workstations forward and handle city orders but do not take public requests.
 */
export const orgUnits = sqliteTable(
  'org_units',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(), // region | city | county_workstation | handling_unit
    name: text('name').notNull(),
    parentId: text('parent_id'),
    acceptsPublicRequests: integer('accepts_public_requests', { mode: 'boolean' }).notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('org_units_parent_idx').on(t.parentId)],
);

/** People a unit can be reached at; emergency contacts are phoned at once for emergency orders (art. 25). */
export const orgUnitContacts = sqliteTable(
  'org_unit_contacts',
  {
    id: integer('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    name: text('name').notNull(),
    phone: text('phone').notNull(),
    duty: text('duty'),
    emergency: integer('emergency', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull().default(sql`0`),
  },
  (t) => [index('org_unit_contacts_unit_idx').on(t.unitId)],
);
