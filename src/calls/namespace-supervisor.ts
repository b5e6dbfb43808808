import type { Namespace, Socket } from 'socket.io';
import { can, type Principal } from '../auth/principal.ts';
import type { CallEventHub } from './call-events.ts';
import type { FiguresPublisher } from './live-figures.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import type { Clock } from '../shared/clock.ts';
import type { CallsRepo } from '../store/calls-repo.ts';
import type { CallbackRow } from '../store/schema/calls.ts';

export interface SupervisorNamespaceOptions {
  nsp: Namespace;
  events: CallEventHub;
  figures: FiguresPublisher;
  calls: CallsRepo;
  clock: Clock;
}

export function callbackView(row: CallbackRow, full: boolean) {
  return { ...row, number: full ? row.number : maskPhone(row.number) };
}

/**
 * `/supervisor`: live figures pushed on change (coalesced by the FiguresPublisher), alerts as they
 * happen (pre-warning, breach, ring-no-answer), and the callback list. On connection the client gets
 * `figures`, `callbacks` (pending) and `alerts` (last 24 h) at once; afterwards only pushes.
 */
export function attachSupervisorNamespace(o: SupervisorNamespaceOptions): { close(): void } {
  const { nsp, events, figures, calls, clock } = o;
  const FULL = 'see-full';
  const offs = [
    figures.onFigures((f) => nsp.emit('figures', f)),
    events.on('alert', (a) => nsp.emit('alert', a)),
    events.on('callback', (row) => {
      nsp.to(FULL).emit('callback', callbackView(row, true));
      nsp.except(FULL).emit('callback', callbackView(row, false));
    }),
  ];
  nsp.on('connection', (socket: Socket) => {
    const principal = (socket.data as { principal: Principal }).principal;
    const full = can(principal, 'phone:see-full');
    if (full) void socket.join(FULL);
    socket.emit('figures', figures.current());
    socket.emit(
      'callbacks',
      calls.listCallbacks({ status: 'pending' }).map((r) => callbackView(r, full)),
    );
    socket.emit('alerts', calls.alertsSince(clock.now() - 86_400_000).slice(-200));
  });
  return {
    close() {
      for (const off of offs) off();
    },
  };
}
