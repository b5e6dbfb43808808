import type { FastifyPluginAsync } from 'fastify';
import { ORG_UNIT_KINDS, type OrgContact, type OrgUnitKind } from '../store/organisation-repo.ts';
import type { OrganisationService } from './organisation-service.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import type { OrgUnit } from '../store/organisation-repo.ts';
import type { Caller } from './work-order-service.ts';
import { allErrors, caller, mapServiceErrors, openObject, security, text, unitIdSchema } from './routes-common.ts';

const contactSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'phone'],
  properties: {
    name: text(100),
    phone: { type: 'string', minLength: 3, maxLength: 32, pattern: '^[0-9+() -]+$' },
    duty: text(100),
    emergency: { type: 'boolean' },
  },
} as const;

const unitParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: unitIdSchema },
} as const;

/** Contact numbers are staff numbers but still personal data: masked for roles without phone:see-full. */
function view(u: OrgUnit & { children?: unknown[] }, c: Caller): unknown {
  const full = c.permissions.has('phone:see-full');
  return {
    ...u,
    contacts: u.contacts.map((x) => ({ ...x, phone: full ? x.phone : maskPhone(x.phone) })),
    ...(u.children
      ? { children: (u.children as (OrgUnit & { children?: unknown[] })[]).map((ch) => view(ch, c)) }
      : {}),
  };
}

type ContactBody = { name: string; phone: string; duty?: string; emergency?: boolean };
const toContacts = (cs: ContactBody[] | undefined): OrgContact[] | undefined =>
  cs?.map((x) => ({ name: x.name, phone: x.phone, duty: x.duty ?? null, emergency: x.emergency ?? false }));

/** Region → cities → county workstations → handling units (art. 3, 8–11). Reads for every role, changes for admins. */
export function organisationRoutes(deps: { organisation: OrganisationService }): FastifyPluginAsync {
  const { organisation } = deps;
  const tags = ['organisation'];
  return async (app) => {
    mapServiceErrors(app);

    app.get(
      '/organisation/units',
      {
        config: { permission: 'organisation:read' },
        schema: {
          summary: 'List all units',
          tags,
          security,
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async (request) => {
        const c = caller(request);
        return (await organisation.list()).map((u) => view(u, c));
      },
    );

    app.get<{ Querystring: { root?: string } }>(
      '/organisation/tree',
      {
        config: { permission: 'organisation:read' },
        schema: {
          summary: 'The hierarchy as a tree (optionally below one unit)',
          tags,
          security,
          querystring: { type: 'object', additionalProperties: false, properties: { root: unitIdSchema } },
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async (request) => {
        const c = caller(request);
        return (await organisation.tree(request.query.root)).map((u) => view(u, c));
      },
    );

    app.get<{ Params: { id: string } }>(
      '/organisation/units/:id',
      {
        config: { permission: 'organisation:read' },
        schema: {
          summary: 'Read a unit',
          tags,
          security,
          params: unitParams,
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => view(await organisation.get(request.params.id), caller(request)),
    );

    app.post<{
      Body: { id: string; kind: OrgUnitKind; name: string; parentId?: string | null; contacts?: ContactBody[] };
    }>(
      '/organisation/units',
      {
        config: { permission: 'organisation:manage' },
        schema: {
          summary:
            'Create a unit: region, city, county workstation (takes no public requests, art. 8) or handling unit',
          tags,
          security,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'kind', 'name'],
            properties: {
              id: unitIdSchema,
              kind: { type: 'string', enum: [...ORG_UNIT_KINDS] },
              name: text(200),
              parentId: { anyOf: [unitIdSchema, { type: 'null' }] },
              contacts: { type: 'array', maxItems: 50, items: contactSchema },
            },
          },
          response: { 201: openObject, ...allErrors },
        },
      },
      async (request, reply) => {
        const c = caller(request);
        const b = request.body;
        const u = await organisation.create(
          {
            id: b.id,
            kind: b.kind,
            name: b.name,
            parentId: b.parentId ?? null,
            contacts: toContacts(b.contacts) ?? [],
          },
          { id: c.id, role: c.role },
        );
        return reply.code(201).send(view(u, c));
      },
    );

    app.patch<{
      Params: { id: string };
      Body: { name?: string; parentId?: string | null; active?: boolean; contacts?: ContactBody[] };
    }>(
      '/organisation/units/:id',
      {
        config: { permission: 'organisation:manage' },
        schema: {
          summary: 'Rename, move, (de)activate a unit or replace its contacts',
          tags,
          security,
          params: unitParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              name: text(200),
              parentId: { anyOf: [unitIdSchema, { type: 'null' }] },
              active: { type: 'boolean' },
              contacts: { type: 'array', maxItems: 50, items: contactSchema },
            },
          },
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => {
        const c = caller(request);
        const b = request.body;
        const contacts = toContacts(b.contacts);
        const patch = {
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.parentId !== undefined ? { parentId: b.parentId } : {}),
          ...(b.active !== undefined ? { active: b.active } : {}),
          ...(contacts ? { contacts } : {}),
        };
        return view(await organisation.update(request.params.id, patch, { id: c.id, role: c.role }), c);
      },
    );
  };
}
