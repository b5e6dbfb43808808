// Deadline clocks shared by the unit inbox and the order detail page: each clock is a <span class="clock">
// holding its deadline; one ticker per page repaints them every second (amber in the last quarter of
// the span, red once passed). The browser's clock drives them; the server's deadlines fix where they end.
import { dateTime, el } from '/ui/assets/common.js';
import { clockState, DEADLINE_LABELS, LEVELS, remainingText } from '/ui/assets/unit-labels.js';

/** A live countdown to `dueAt`; `startAt` (when the clock started) decides when it turns amber. */
export function clockSpan(dueAt, startAt, attrs = {}) {
  const span = el('span', {
    ...attrs,
    class: 'clock',
    dataset: { due: String(dueAt), start: startAt === null || startAt === undefined ? '' : String(startAt) },
  });
  paint(span, Date.now());
  return span;
}

function paint(span, now) {
  const due = Number(span.dataset.due);
  const start = span.dataset.start === '' ? null : Number(span.dataset.start);
  const state = clockState(due, now, start);
  span.className = `clock clock-${state}`;
  span.dataset.state = state;
  span.textContent = remainingText(due, now);
}

/** Repaints every clock on the page once a second. */
export function startClockTicker() {
  return setInterval(() => {
    const now = Date.now();
    for (const span of document.querySelectorAll('span.clock')) paint(span, now);
  }, 1000);
}

/**
 * The clocks of an order's current assignment as rows of a <dl>: sign (from dispatch), return window
 * (from signing) and completion; before dispatch, the 24-hour dispatch clock (art. 25).
 */
export function orderClocks(order) {
  const a = order.assignments.at(-1);
  const rows = [];
  const row = (kind, deadline, startAt, done) => {
    if (!deadline) return;
    rows.push(
      el('dt', {}, DEADLINE_LABELS[kind]),
      el(
        'dd',
        { id: `clock-${kind}` },
        dateTime(deadline.at),
        deadline.provisional ? el('span', { class: 'muted small' }, '（暂定）') : null,
        ' ',
        done ? el('span', { class: 'badge done-badge' }, done) : clockSpan(deadline.at, startAt),
      ),
    );
  };
  if (['registered', 'returned', 'disputed'].includes(order.status))
    row('dispatch', order.dispatchDue, order.receivedAt);
  if (a && !['registered', 'returned', 'disputed', 'not-accepted', 'merged'].includes(order.status)) {
    row('sign', a.signDue, a.dispatchedAt, a.signedAt ? `已于 ${dateTime(a.signedAt)} 签收` : null);
    if (a.returnDue && order.status === 'signed') row('return', a.returnDue, a.signedAt);
    const replied = a.reply ? `已于 ${dateTime(a.reply.at)} 答复` : null;
    row('completion', a.completionDue, a.dispatchedAt, replied ?? (order.status === 'closed' ? '已办结' : null));
  }
  return rows.length > 0
    ? el('dl', { class: 'facts clocks' }, rows)
    : el('p', { class: 'muted', id: 'no-clocks' }, '当前没有计时中的时限');
}

/** The supervision badge (短信预警 / 黄牌督办 / 红牌督办) for level 1–3, or nothing for 0. */
export function levelBadge(level, attrs = {}) {
  const l = LEVELS[level] ?? null;
  return l ? el('span', { ...attrs, class: `badge sup ${l.cls}`, dataset: { level: l.key } }, l.text) : null;
}
