import type pg from 'pg';
import type { NewOrgUnit, OrgContact, OrganisationRepo, OrgUnit, OrgUnitKind } from './organisation-repo.ts';
import { inTransaction, one, rows } from './pg-store.ts';

type UnitRow = {
  id: string;
  kind: string;
  name: string;
  parent_id: string | null;
  accepts_public_requests: boolean;
  active: boolean;
  created_at: number;
  updated_at: number;
};
type ContactRow = { id: number; unit_id: string; name: string; phone: string; duty: string | null; emergency: boolean };

function toUnit(r: UnitRow, contacts: ContactRow[]): OrgUnit {
  return {
    id: r.id,
    kind: r.kind as OrgUnitKind,
    name: r.name,
    parentId: r.parent_id,
    acceptsPublicRequests: r.accepts_public_requests,
    active: r.active,
    contacts: contacts.map((c) => ({ id: c.id, name: c.name, phone: c.phone, duty: c.duty, emergency: c.emergency })),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

// Unit ids are ordered byte-wise (collate "C"), as SQLite orders them, whatever the database's collation.
const UNIT_ORDER = 'order by id collate "C"';

async function insertContacts(c: pg.PoolClient, unitId: string, contacts: OrgContact[], now: number): Promise<void> {
  for (const x of contacts)
    await c.query(
      'insert into org_unit_contacts (unit_id, name, phone, duty, emergency, created_at) values ($1, $2, $3, $4, $5, $6)',
      [unitId, x.name, x.phone, x.duty ?? null, x.emergency, now],
    );
}

/** The organisation store on PostgreSQL (same behaviour as SqliteOrganisationRepo). */
export class PgOrganisationRepo implements OrganisationRepo {
  constructor(private readonly pool: pg.Pool) {}

  private contactsOf(unitIds: string[]): Promise<ContactRow[]> {
    return rows<ContactRow>(this.pool, 'select * from org_unit_contacts where unit_id = any($1) order by id', [
      unitIds,
    ]);
  }

  private async withContacts(units: UnitRow[]): Promise<OrgUnit[]> {
    if (units.length === 0) return [];
    const contacts = await this.contactsOf(units.map((u) => u.id));
    return units.map((u) =>
      toUnit(
        u,
        contacts.filter((c) => c.unit_id === u.id),
      ),
    );
  }

  async get(id: string): Promise<OrgUnit | null> {
    const r = await one<UnitRow>(this.pool, 'select * from org_units where id = $1', [id]);
    return r ? (await this.withContacts([r]))[0]! : null;
  }

  async list(): Promise<OrgUnit[]> {
    return this.withContacts(await rows<UnitRow>(this.pool, `select * from org_units ${UNIT_ORDER}`));
  }

  async children(id: string): Promise<OrgUnit[]> {
    return this.withContacts(
      await rows<UnitRow>(this.pool, `select * from org_units where parent_id = $1 ${UNIT_ORDER}`, [id]),
    );
  }

  async insert(unit: NewOrgUnit, now: number): Promise<OrgUnit> {
    await inTransaction(this.pool, async (c) => {
      await c.query(
        `insert into org_units (id, kind, name, parent_id, accepts_public_requests, active, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [unit.id, unit.kind, unit.name, unit.parentId, unit.acceptsPublicRequests, unit.active ?? true, now],
      );
      await insertContacts(c, unit.id, unit.contacts, now);
    });
    return (await this.get(unit.id))!;
  }

  async update(
    id: string,
    patch: { name?: string; parentId?: string | null; active?: boolean; contacts?: OrgContact[] },
    now: number,
  ): Promise<OrgUnit | null> {
    const found = await inTransaction(this.pool, async (c) => {
      const row = await one<UnitRow>(c, 'select * from org_units where id = $1 for update', [id]);
      if (!row) return false;
      await c.query('update org_units set name = $1, parent_id = $2, active = $3, updated_at = $4 where id = $5', [
        patch.name ?? row.name,
        patch.parentId === undefined ? row.parent_id : patch.parentId,
        patch.active ?? row.active,
        now,
        id,
      ]);
      if (patch.contacts) {
        await c.query('delete from org_unit_contacts where unit_id = $1', [id]);
        await insertContacts(c, id, patch.contacts, now);
      }
      return true;
    });
    return found ? this.get(id) : null;
  }
}
