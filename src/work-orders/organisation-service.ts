import type { AuditRepo } from '../store/audit-repo.ts';
import type { NewOrgUnit, OrgContact, OrganisationRepo, OrgUnit, OrgUnitKind } from '../store/organisation-repo.ts';
import type { Clock } from '../shared/clock.ts';
import { badInput, conflict, notFound } from './service-error.ts';

/** Which kind of unit may sit under which (rules art. 3, 8–11). Handling units hang under any tier. */
export const ALLOWED_PARENT: Record<OrgUnitKind, readonly (OrgUnitKind | null)[]> = {
  region: [null],
  city: ['region'],
  county_workstation: ['city'],
  handling_unit: ['region', 'city', 'county_workstation', 'handling_unit'],
};

/**
 * Only the regional and city platforms take public requests; county workstations forward and handle city
 * orders but take none themselves (art. 8), and handling units are reached through the hotline.
 */
export function takesPublicRequests(kind: OrgUnitKind): boolean {
  return kind === 'region' || kind === 'city';
}

/** Units that may be given an order to handle or forward: workstations (art. 8) and handling units. */
export function canReceiveOrders(kind: OrgUnitKind): boolean {
  return kind === 'county_workstation' || kind === 'handling_unit';
}

export interface ActorRef {
  id: string;
  role: string;
}

export class OrganisationService {
  constructor(
    private readonly repo: OrganisationRepo,
    private readonly audit: AuditRepo,
    private readonly clock: Clock,
  ) {}

  list(): Promise<OrgUnit[]> {
    return this.repo.list();
  }

  async get(id: string): Promise<OrgUnit> {
    const u = await this.repo.get(id);
    if (!u) throw notFound('unit-not-found', `no organisation unit ${id}`);
    return u;
  }

  /** The unit and everything below it, as a tree. */
  async tree(rootId?: string): Promise<(OrgUnit & { children: unknown[] })[]> {
    const all = await this.repo.list();
    const byParent = new Map<string | null, OrgUnit[]>();
    for (const u of all) byParent.set(u.parentId, [...(byParent.get(u.parentId) ?? []), u]);
    const build = (u: OrgUnit): OrgUnit & { children: unknown[] } => ({
      ...u,
      children: (byParent.get(u.id) ?? []).map(build),
    });
    if (rootId) return [build(await this.get(rootId))];
    return (byParent.get(null) ?? []).map(build);
  }

  async create(input: Omit<NewOrgUnit, 'acceptsPublicRequests'>, actor: ActorRef): Promise<OrgUnit> {
    if (await this.repo.get(input.id)) throw conflict('unit-exists', `organisation unit ${input.id} already exists`);
    await this.checkParent(input.kind, input.parentId, input.id);
    const now = this.clock.now();
    const unit = await this.repo.insert({ ...input, acceptsPublicRequests: takesPublicRequests(input.kind) }, now);
    await this.audit.append({
      entity: 'org_unit',
      entityId: unit.id,
      action: 'create',
      actorId: actor.id,
      actorRole: actor.role,
      at: now,
      data: { kind: unit.kind, parentId: unit.parentId, contacts: unit.contacts.length },
    });
    return unit;
  }

  async update(
    id: string,
    patch: { name?: string; parentId?: string | null; active?: boolean; contacts?: OrgContact[] },
    actor: ActorRef,
  ): Promise<OrgUnit> {
    const unit = await this.get(id);
    if (patch.parentId !== undefined) await this.checkParent(unit.kind, patch.parentId, id);
    const now = this.clock.now();
    const updated = await this.repo.update(id, patch, now);
    if (!updated) throw notFound('unit-not-found', `no organisation unit ${id}`);
    await this.audit.append({
      entity: 'org_unit',
      entityId: id,
      action: 'update',
      actorId: actor.id,
      actorRole: actor.role,
      at: now,
      data: { fields: Object.keys(patch) },
    });
    return updated;
  }

  /** True when `unitId` is `ancestorId` or lies below it. */
  async isWithin(unitId: string, ancestorId: string): Promise<boolean> {
    let cur: string | null = unitId;
    for (let guard = 0; cur !== null && guard < 64; guard++) {
      if (cur === ancestorId) return true;
      cur = (await this.repo.get(cur))?.parentId ?? null;
    }
    return false;
  }

  private async checkParent(kind: OrgUnitKind, parentId: string | null, selfId: string): Promise<void> {
    const allowed = ALLOWED_PARENT[kind];
    if (parentId === null) {
      if (!allowed.includes(null))
        throw badInput('parent-required', `a ${kind} must have a parent (one of: ${allowed.join(', ')})`);
      return;
    }
    const parent = await this.repo.get(parentId);
    if (!parent) throw badInput('parent-not-found', `parentId: no organisation unit ${parentId}`);
    if (!allowed.includes(parent.kind)) {
      throw conflict(
        'parent-kind-not-allowed',
        `a ${kind} cannot sit under a ${parent.kind} (allowed: ${allowed.map((k) => k ?? 'none').join(', ')})`,
      );
    }
    if (await this.isWithin(parentId, selfId))
      throw conflict('hierarchy-cycle', `unit ${selfId} cannot sit under its own descendant ${parentId}`);
  }
}
