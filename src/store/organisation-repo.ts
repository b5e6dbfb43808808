import { asc, eq } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { orgUnitContacts, orgUnits } from './schema/organisation.ts';

export const ORG_UNIT_KINDS = ['region', 'city', 'county_workstation', 'handling_unit'] as const;
export type OrgUnitKind = (typeof ORG_UNIT_KINDS)[number];

export interface OrgContact {
  id?: number;
  name: string;
  phone: string;
  duty?: string | null;
  emergency: boolean;
}

export interface OrgUnit {
  id: string;
  kind: OrgUnitKind;
  name: string;
  parentId: string | null;
  acceptsPublicRequests: boolean;
  active: boolean;
  contacts: OrgContact[];
  createdAt: number;
  updatedAt: number;
}

export type NewOrgUnit = Omit<OrgUnit, 'createdAt' | 'updatedAt' | 'active'> & { active?: boolean };

/** The organisation store. Async so that a PostgreSQL implementation can follow. */
export interface OrganisationRepo {
  get(id: string): Promise<OrgUnit | null>;
  list(): Promise<OrgUnit[]>;
  children(id: string): Promise<OrgUnit[]>;
  insert(unit: NewOrgUnit, now: number): Promise<OrgUnit>;
  update(
    id: string,
    patch: { name?: string; parentId?: string | null; active?: boolean; contacts?: OrgContact[] },
    now: number,
  ): Promise<OrgUnit | null>;
}

type UnitRow = typeof orgUnits.$inferSelect;
type ContactRow = typeof orgUnitContacts.$inferSelect;

function toUnit(row: UnitRow, contacts: ContactRow[]): OrgUnit {
  return {
    id: row.id,
    kind: row.kind as OrgUnitKind,
    name: row.name,
    parentId: row.parentId,
    acceptsPublicRequests: row.acceptsPublicRequests,
    active: row.active,
    contacts: contacts.map((c) => ({ id: c.id, name: c.name, phone: c.phone, duty: c.duty, emergency: c.emergency })),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export class SqliteOrganisationRepo implements OrganisationRepo {
  constructor(private readonly db: BetterSQLite3Database) {}

  private contactsOf(unitId: string): ContactRow[] {
    return this.db
      .select()
      .from(orgUnitContacts)
      .where(eq(orgUnitContacts.unitId, unitId))
      .orderBy(asc(orgUnitContacts.id))
      .all();
  }

  async get(id: string): Promise<OrgUnit | null> {
    const row = this.db.select().from(orgUnits).where(eq(orgUnits.id, id)).get();
    return row ? toUnit(row, this.contactsOf(id)) : null;
  }

  async list(): Promise<OrgUnit[]> {
    const rows = this.db.select().from(orgUnits).orderBy(asc(orgUnits.id)).all();
    const contacts = this.db.select().from(orgUnitContacts).orderBy(asc(orgUnitContacts.id)).all();
    return rows.map((r) =>
      toUnit(
        r,
        contacts.filter((c) => c.unitId === r.id),
      ),
    );
  }

  async children(id: string): Promise<OrgUnit[]> {
    const rows = this.db.select().from(orgUnits).where(eq(orgUnits.parentId, id)).orderBy(asc(orgUnits.id)).all();
    return rows.map((r) => toUnit(r, this.contactsOf(r.id)));
  }

  async insert(unit: NewOrgUnit, now: number): Promise<OrgUnit> {
    this.db.transaction((tx) => {
      tx.insert(orgUnits)
        .values({
          id: unit.id,
          kind: unit.kind,
          name: unit.name,
          parentId: unit.parentId,
          acceptsPublicRequests: unit.acceptsPublicRequests,
          active: unit.active ?? true,
          createdAt: now,
          updatedAt: now,
        })
        .run();
      for (const c of unit.contacts) {
        tx.insert(orgUnitContacts)
          .values({
            unitId: unit.id,
            name: c.name,
            phone: c.phone,
            duty: c.duty ?? null,
            emergency: c.emergency,
            createdAt: now,
          })
          .run();
      }
    });
    return (await this.get(unit.id))!;
  }

  async update(
    id: string,
    patch: { name?: string; parentId?: string | null; active?: boolean; contacts?: OrgContact[] },
    now: number,
  ): Promise<OrgUnit | null> {
    const found = this.db.transaction((tx) => {
      const row = tx.select().from(orgUnits).where(eq(orgUnits.id, id)).get();
      if (!row) return false;
      tx.update(orgUnits)
        .set({
          name: patch.name ?? row.name,
          parentId: patch.parentId === undefined ? row.parentId : patch.parentId,
          active: patch.active ?? row.active,
          updatedAt: now,
        })
        .where(eq(orgUnits.id, id))
        .run();
      if (patch.contacts) {
        tx.delete(orgUnitContacts).where(eq(orgUnitContacts.unitId, id)).run();
        for (const c of patch.contacts) {
          tx.insert(orgUnitContacts)
            .values({
              unitId: id,
              name: c.name,
              phone: c.phone,
              duty: c.duty ?? null,
              emergency: c.emergency,
              createdAt: now,
            })
            .run();
        }
      }
      return true;
    });
    return found ? this.get(id) : null;
  }
}
