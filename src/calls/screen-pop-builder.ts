import type { ScreenPop } from '../domain/calls/screen-pop.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import type { DesktopPop } from './call-events.ts';
import type { HistoryOrder } from './caller-history.ts';

/** The domain's pop plus the caller's earlier work orders (newest first, open ones marked) and a new-order draft. */
export function buildDesktopPop(pop: ScreenPop, history: readonly HistoryOrder[]): DesktopPop {
  const sorted = [...history].sort((a, b) => b.createdAt - a.createdAt);
  const openOrder = sorted.find((o) => o.open);
  return {
    ...pop,
    ivrPath: [...pop.ivrPath],
    ivrChoices: pop.ivrChoices.map((c) => ({ ...c })),
    history: sorted,
    openOrders: sorted.filter((o) => o.open).length,
    draft: {
      channel: 'phone',
      callId: pop.callId,
      requesterPhone: pop.callerNumber,
      contactPhone: pop.callerNumber,
      desk: pop.skill,
      ivrChoices: pop.ivrChoices.map((c) => c.label ?? c.digit ?? '').filter((s) => s !== ''),
      repeatOf: openOrder?.number ?? null,
    },
  };
}

/** The pop as a role without `phone:see-full` receives it (art. 22). */
export function maskDesktopPop(pop: DesktopPop): DesktopPop {
  const masked = maskPhone(pop.callerNumber);
  return { ...pop, callerNumber: masked, draft: { ...pop.draft, requesterPhone: masked, contactPhone: masked } };
}
