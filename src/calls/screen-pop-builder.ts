import type { ScreenPop } from '../domain/calls/screen-pop.ts';
import { maySeeOrder, type OrderViewer } from '../domain/work-orders/visibility.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import type { DesktopPop } from './call-events.ts';
import type { CallerOrder, HistoryOrder } from './caller-history.ts';

/**
 * The domain's pop plus the caller's earlier work orders (newest first, open ones marked) and a new-order draft.
 * The history is the caller's whole history: a desk only ever receives `popForViewer` of it.
 */
export function buildDesktopPop(pop: ScreenPop, history: readonly HistoryOrder[]): DesktopPop {
  // Open orders first (the ones the caller is most likely calling about), each group newest first.
  const sorted = [...history].sort((a, b) => Number(b.open) - Number(a.open) || b.createdAt - a.createdAt);
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

/** Who receives a pop: the principal's visibility (role, unit, permissions) and whether numbers are shown in full. */
export interface PopViewer extends OrderViewer {
  seesFullPhone: boolean;
}

/**
 * The pop as one desk may see it: history, open-order count and the draft's `repeatOf` keep only the orders the
 * visibility rule (src/domain/work-orders/visibility.ts) lets this viewer see, and the number is masked for roles
 * without `phone:see-full` (art. 22).
 */
export function popForViewer(pop: DesktopPop, viewer: PopViewer): DesktopPop {
  const { history, openOrders: _all, draft: _draft, ...screen } = pop;
  const visible = history.filter((o) => maySeeOrder(viewer, { confidential: o.confidential, unitIds: unitIdsOf(o) }));
  const shown: HistoryOrder[] = visible.map(
    ({ id, number, title, category, categoryName, summary, unitName, status, open, confidential, createdAt }) => ({
      id,
      number,
      title,
      category,
      ...(categoryName !== undefined ? { categoryName } : {}),
      ...(summary !== undefined ? { summary } : {}),
      ...(unitName !== undefined ? { unitName } : {}),
      status,
      open,
      confidential,
      createdAt,
    }),
  );
  const built = buildDesktopPop(
    // A repeat-caller mark with no open order in sight would tell the desk that a hidden one exists.
    { ...screen, repeatCaller: screen.repeatCaller && shown.some((o) => o.open) },
    shown,
  );
  return viewer.seesFullPhone ? built : maskDesktopPop(built);
}

/** The units of a history entry read from the store; none known (a pop rebuilt after a restart) hides it from unit handlers. */
function unitIdsOf(o: HistoryOrder | CallerOrder): readonly string[] {
  return 'unitIds' in o ? o.unitIds : [];
}

/** The pop as a role without `phone:see-full` receives it (art. 22). */
export function maskDesktopPop(pop: DesktopPop): DesktopPop {
  const masked = maskPhone(pop.callerNumber);
  return { ...pop, callerNumber: masked, draft: { ...pop.draft, requesterPhone: masked, contactPhone: masked } };
}
