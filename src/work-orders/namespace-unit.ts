import type { Namespace } from 'socket.io';
import { orderVisibility, type OrderVisibilityFacts } from '../domain/work-orders/visibility.ts';
import type { WorkOrderEffect } from '../domain/work-orders/types.ts';
import type { SocketData } from '../realtime/auth.ts';
import type { SocketServer } from '../realtime/socket-server.ts';
import type { Logger } from '../shared/logger.ts';
import type { NewNotice } from '../store/work-orders-repo.ts';
import type { WorkOrderNotifier } from './work-order-service.ts';

/**
 * What the unit inbox (/ui/unit) is told live. Only ids, kinds and levels: the page reloads the order over
 * HTTP, where masking and the visibility rule apply, so no personal data travels on the socket.
 */
export type UnitInboxEvent =
  | { kind: 'dispatched'; orderId: number; unitId: string; role: 'lead' | 'assisting'; emergency: boolean }
  | { kind: 'supervision'; orderId: number; unitId: string; level: string; deadline: string; dueAt: number };

/** The facts the visibility rule needs for one order (null: no such order). */
export type VisibilityFactsOf = (orderId: number) => Promise<OrderVisibilityFacts | null>;

const room = (unitId: string) => `unit:${unitId}`;

/**
 * The `/unit` socket.io namespace (permission `work-orders:handle`, i.e. unit handlers). Each socket joins its
 * own unit's room only; an event for a unit goes to that room, and each socket there gets it only when
 * the visibility decider (src/domain/work-orders/visibility.ts, art. 22) lets its user see the order.
 *
 * It is the work-order service's notifier (orders dispatched or forwarded to a unit) and receives the
 * supervision scanner's notices (SMS warning, yellow and red cards). Events before `attach` are dropped:
 * no one can be listening yet.
 */
export class UnitInbox implements WorkOrderNotifier {
  private nsp: Namespace | undefined;
  private facts: VisibilityFactsOf | undefined;
  private pending = new Set<Promise<void>>();

  constructor(private readonly logger: Pick<Logger, 'warn'>) {}

  attach(sockets: SocketServer, facts: VisibilityFactsOf): Namespace {
    const nsp = sockets.namespace('/unit', { permission: 'work-orders:handle' });
    nsp.use((socket, next) => {
      // The role has the permission but the account names no unit: nothing to listen to (refused like a 403).
      if ((socket.data as SocketData).principal.unitId) return next();
      const err = new Error('your account belongs to no handling unit') as Error & { data: unknown };
      err.data = { statusCode: 403, code: 'no-unit' };
      next(err);
    });
    nsp.on('connection', (socket) => {
      const unitId = (socket.data as SocketData).principal.unitId as string;
      void socket.join(room(unitId));
      socket.emit('inbox:ready', { unitId });
    });
    this.nsp = nsp;
    this.facts = facts;
    return nsp;
  }

  notify(effect: WorkOrderEffect): void {
    if (effect.type !== 'notify-unit') return;
    this.publish({
      kind: 'dispatched',
      orderId: effect.orderId,
      unitId: effect.unitId,
      role: effect.role,
      emergency: effect.emergency,
    });
  }

  notice(n: NewNotice): void {
    if (n.unitId === null) return;
    this.publish({
      kind: 'supervision',
      orderId: n.orderId,
      unitId: n.unitId,
      level: n.level,
      deadline: n.deadlineKind,
      dueAt: n.deadlineAt,
    });
  }

  /** Resolves when every event published so far has been sent (tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private publish(event: UnitInboxEvent): void {
    const nsp = this.nsp;
    const factsOf = this.facts;
    if (!nsp || !factsOf) return;
    const p = (async () => {
      const facts = await factsOf(event.orderId);
      if (!facts) return;
      for (const socket of await nsp.in(room(event.unitId)).fetchSockets()) {
        const who = (socket.data as SocketData).principal;
        if (orderVisibility(who, facts).visible) socket.emit('order-event', event);
      }
    })()
      .catch((err: unknown) =>
        this.logger.warn({ err: String(err), orderId: event.orderId }, 'unit inbox: event not sent'),
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}
