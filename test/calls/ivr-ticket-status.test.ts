import { afterEach, describe, expect, it } from 'vitest';
import { permissionsOf } from '../../src/auth/permissions.ts';
import { workOrderHistory } from '../../src/calls/work-order-history.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { Store } from '../../src/store/db.ts';
import { createWorkOrderModule, type WorkOrderModule } from '../../src/work-orders/module.ts';
import { createIntakeModule, type IntakeModule } from '../../src/intake/intake-module.ts';
import type { Caller } from '../../src/work-orders/work-order-service.ts';
import { Harness } from './harness.ts';

const CALLER = '13812341234';
const SOMEONE_ELSE = '13900000007';
const intakeAgent: Caller = { id: '1', role: 'agent', unitId: null, permissions: permissionsOf('agent') };
const awaitPrompt = (media: string) => ({ kind: 'awaitPrompt' as const, media });

/** Issue 7 item 2: the voice self-service reads a status only to the order's own numbers, and stops after three misses. */
describe('work-order status by phone on the simulator', () => {
  let h: Harness | undefined;
  let orders: WorkOrderModule | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function start(): Promise<{ mine: number; theirs: number }> {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    h = await Harness.start({
      clock,
      history: (store: Store) => {
        orders = createWorkOrderModule({
          store,
          clock,
          logger: createLogger({ level: 'silent', pretty: false }),
          dataDir: ':memory:',
          startScanner: false,
        });
        return workOrderHistory(orders.repo);
      },
    });
    const take = async (phone: string, content: string) =>
      (
        await orders!.orders.intake(
          { channel: 'website', type: 'complaint', requesterPhone: phone, content, category: 'environment.noise' },
          intakeAgent,
        )
      ).order.id;
    return {
      mine: await take(CALLER, '小区门口夜间施工噪音扰民'),
      theirs: await take(SOMEONE_ELSE, '广场舞音响声音太大'),
    };
  }

  /** The call has arrived, been recorded as ended, and left the live registry. */
  const ended = async (what: string) => {
    await h!.until(
      () =>
        h!.records.listCalls({}).some((c) => c.callerNumber === CALLER && c.outcome !== null) &&
        h!.layer.controller.liveCalls().size === 0,
      what,
    );
  };

  const promptsOf = (callerChannelId: string): string[] =>
    h!.sim.control
      .callLog(callerChannelId)
      .filter((e) => e.kind === 'prompt')
      .map((e: any) => e.media as string);

  it('given another person\'s order, when a caller keys its number, then the caller hears "not found" and no status', async () => {
    const { theirs } = await start();
    const placed = h!.sim.control.placeCall({
      from: CALLER,
      to: '12345',
      script: [
        awaitPrompt('hotline/desk-choice'),
        { kind: 'dtmf', digits: '8' },
        awaitPrompt('hotline/ticket-enter-number'),
        { kind: 'dtmf', digits: `${theirs}#` },
        awaitPrompt('hotline/after-status'),
        { kind: 'hangup' },
      ],
    });
    await ended('call ended');
    const heard = promptsOf(placed.callerChannelId).join(' ');
    expect(heard).toContain('hotline/ticket-not-found');
    expect(heard).not.toContain('hotline/ticket-status-is');
    expect(heard).not.toContain('hotline/status-');
  });

  it('given the requester calling about their own order, when they key its number, then they hear its status', async () => {
    const { mine } = await start();
    const placed = h!.sim.control.placeCall({
      from: CALLER,
      to: '12345',
      script: [
        awaitPrompt('hotline/desk-choice'),
        { kind: 'dtmf', digits: '8' },
        awaitPrompt('hotline/ticket-enter-number'),
        { kind: 'dtmf', digits: `${mine}#` },
        awaitPrompt('hotline/after-status'),
        { kind: 'hangup' },
      ],
    });
    await ended('call ended');
    const heard = promptsOf(placed.callerChannelId).join(' ');
    expect(heard).toContain('hotline/ticket-status-is');
    expect(heard).toContain('hotline/status-received');
  });

  it('given a caller trying numbers, when the third look-up fails, then goodbye plays and the hotline hangs up', async () => {
    const { theirs } = await start();
    const tryNumber = (n: string) => [
      { kind: 'dtmf' as const, digits: `${n}#` },
      awaitPrompt('hotline/ticket-not-found'),
    ];
    const placed = h!.sim.control.placeCall({
      from: CALLER,
      to: '12345',
      script: [
        awaitPrompt('hotline/desk-choice'),
        { kind: 'dtmf', digits: '8' },
        awaitPrompt('hotline/ticket-enter-number'),
        ...tryNumber(String(theirs)),
        awaitPrompt('hotline/after-status'),
        { kind: 'dtmf', digits: '1' },
        awaitPrompt('hotline/ticket-enter-number'),
        ...tryNumber('99999'),
        awaitPrompt('hotline/after-status'),
        { kind: 'dtmf', digits: '1' },
        awaitPrompt('hotline/ticket-enter-number'),
        ...tryNumber('99998'),
        // No hang-up step: the hotline ends the call.
      ],
    });
    await ended('call ended by the hotline');
    const heard = promptsOf(placed.callerChannelId);
    expect(heard.filter((m) => m.includes('hotline/ticket-not-found'))).toHaveLength(3);
    expect(heard.at(-1)).toContain('hotline/goodbye');
    const row = h!.records.listCalls({}).find((c) => c.callerNumber === CALLER)!;
    expect(row.outcome).toBe('completed-in-ivr');
  });

  it('given a tracking code from an intake channel, when the citizen keys it from the number given, then they hear its status', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    let intake: IntakeModule | undefined;
    h = await Harness.start({
      clock,
      history: (store: Store) => {
        const logger = createLogger({ level: 'silent', pretty: false });
        orders = createWorkOrderModule({ store, clock, logger, dataDir: ':memory:', startScanner: false });
        intake = createIntakeModule({
          config: {
            credentials: [],
            publicForm: false,
            powBits: 8,
            perNumberPerHour: 5,
            perCredentialPerMinute: 100,
            maxAttachments: 0,
            maxAttachmentBytes: 1024,
          },
          workOrders: orders,
          clock,
          logger,
          dataDir: ':memory:',
        });
        return workOrderHistory(orders.repo, undefined, intake.service);
      },
    });
    const { trackingCode } = await intake!.service.submit('wechat', 'wx-backend', {
      type: 'complaint',
      category: 'environment.noise',
      content: '小区门口夜间施工噪音扰民',
      phone: CALLER,
    });
    const placed = h.sim.control.placeCall({
      from: CALLER,
      to: '12345',
      script: [
        awaitPrompt('hotline/desk-choice'),
        { kind: 'dtmf', digits: '8' },
        awaitPrompt('hotline/ticket-enter-number'),
        { kind: 'dtmf', digits: `${trackingCode}#` },
        awaitPrompt('hotline/after-status'),
        { kind: 'hangup' },
      ],
    });
    await ended('call ended');
    const heard = promptsOf(placed.callerChannelId).join(' ');
    expect(heard).toContain('hotline/ticket-status-is');
    expect(heard).toContain('hotline/status-received');
    expect(heard).not.toContain('hotline/ticket-not-found');
  });
});
