import { describe, expect, it } from 'vitest';
import { permissionsOf } from '../../../src/auth/permissions.ts';
import { ROLES, type Role } from '../../../src/auth/roles.ts';
import {
  mayHearStatusByPhone,
  maySeeOrder,
  orderVisibility,
  visibilityNeedsUnits,
  type OrderViewer,
} from '../../../src/domain/work-orders/visibility.ts';

const viewer = (role: Role, unitId: string | null = null): OrderViewer => ({
  role,
  unitId,
  permissions: permissionsOf(role),
});
const plain = { confidential: false, unitIds: ['u1'] };
const secret = { confidential: true, unitIds: ['u1'] };

describe('orderVisibility: the one rule for who sees an order (art. 22)', () => {
  it('given the permission table, when each desk role looks at a confidential order, then only the roles holding work-orders:see-confidential see it', () => {
    const seeing = (['agent', 'supervisor', 'auditor', 'admin'] as const).filter((r) => maySeeOrder(viewer(r), secret));
    expect(seeing).toEqual(['supervisor', 'auditor', 'admin']);
  });

  it('given an agent, when the order is confidential, then the refusal names the confidentiality; a plain order is visible', () => {
    expect(orderVisibility(viewer('agent'), secret)).toEqual({
      visible: false,
      code: 'confidential',
      reason: expect.stringContaining('art. 22'),
    });
    expect(orderVisibility(viewer('agent'), plain)).toEqual({ visible: true });
  });

  it("given a unit handler, when the order is assigned to their unit, then they see it even when confidential; another unit's order stays hidden", () => {
    expect(maySeeOrder(viewer('unit_handler', 'u1'), secret)).toBe(true);
    expect(orderVisibility(viewer('unit_handler', 'u2'), plain)).toMatchObject({
      visible: false,
      code: 'not-your-unit',
    });
    expect(orderVisibility(viewer('unit_handler', null), plain)).toMatchObject({
      visible: false,
      code: 'not-your-unit',
    });
  });

  it('given a role, when asking whether units must be loaded, then only unit handlers need them', () => {
    expect(ROLES.filter((r) => visibilityNeedsUnits(viewer(r)))).toEqual(['unit_handler']);
  });

  it('given the system or the requester replying by SMS, when the order is confidential, then they still see it', () => {
    for (const role of ['system', 'requester'])
      expect(maySeeOrder({ role, unitId: null, permissions: new Set() }, { confidential: true, unitIds: [] })).toBe(
        true,
      );
  });
});

describe('mayHearStatusByPhone: the voice self-service', () => {
  const order = { confidential: false, requesterPhone: '13812341234', contactPhone: '07711234567' };

  it('given the requester calling, in any common format, then the status may be read back', () => {
    expect(mayHearStatusByPhone(order, '13812341234')).toBe(true);
    expect(mayHearStatusByPhone(order, '+86 138 1234 1234')).toBe(true);
  });

  it('given the contact number calling, then the status may be read back', () => {
    expect(mayHearStatusByPhone(order, '0771-1234567')).toBe(true);
  });

  it('given another number, an empty number, or an order without numbers, then it may not', () => {
    expect(mayHearStatusByPhone(order, '13900000000')).toBe(false);
    expect(mayHearStatusByPhone(order, '')).toBe(false);
    expect(mayHearStatusByPhone({ confidential: false }, '13812341234')).toBe(false);
  });

  it('given a confidential order, when even the requester calls, then it may not (it is never read out)', () => {
    expect(mayHearStatusByPhone({ ...order, confidential: true }, '13812341234')).toBe(false);
  });
});
