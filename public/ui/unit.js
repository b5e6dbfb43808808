// Unit inbox (承办单位工作台, /ui/unit, role unit_handler; docs/ui.md): the unit's orders, due first, with
// their clocks and supervision level; sign, return, extension, assisting opinion, forward, reply with
// photos/video and overdue explanation on the selected order. socket.io /unit pushes "dispatched" and
// "card issued"; the page then reloads over HTTP (masking and visibility apply there).
import {
  $,
  ApiError,
  api,
  dateTime,
  el,
  kids,
  openLivePage,
  orderStatusLabel,
  session,
  signInForm,
} from '/ui/assets/common.js';
import { clockSpan, levelBadge, orderClocks, startClockTicker } from '/ui/assets/order-clocks.js';
import { DEADLINE_LABELS, errorText, levelByKey, TYPE_LABELS, UNIT_ROLE_LABELS } from '/ui/assets/unit-labels.js';
import { actionForms } from '/ui/assets/unit-actions.js';

const app = $('#app');
const view = {
  unitId: null,
  units: new Map(),
  categories: new Map(),
  orders: [],
  selected: null,
  detail: null,
  /** order id → { updatedAt, role: 'assist' | 'forwarded' } for open orders this unit does not lead. */
  roles: new Map(),
};
const OPEN = new Set(['dispatched', 'signed']);

start();

async function start() {
  $('#logout').addEventListener('click', () => {
    session.clear();
    location.reload();
  });
  const notice = sessionStorage.getItem('hotline.notice');
  sessionStorage.removeItem('hotline.notice');
  if (!session.token) await signInForm(app, { title: '承办单位登录', hint: notice ?? '使用承办单位账号登录。' });
  const user = session.user;
  if (user?.role !== 'unit_handler' || !user.unitId) return fatal('当前账号不是承办单位账号，不能使用承办单位工作台。');
  view.unitId = user.unitId;
  try {
    const [units, categories] = await Promise.all([
      api('GET', '/organisation/units'),
      api('GET', '/work-orders/categories'),
    ]);
    for (const u of units) view.units.set(u.id, u);
    for (const c of categories) view.categories.set(c.code, c.name);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return expire(errorText(err));
    return fatal(errorText(err));
  }
  $('#unit-name').textContent = view.units.get(view.unitId)?.name ?? view.unitId;
  layout();
  const socket = openLivePage('/unit', {
    upText: '实时更新中',
    onForbidden: () => fatal('当前账号不能接收本单位的实时工单（需要承办单位角色）。'),
  });
  socket.on('order-event', (e) => onEvent(e));
  // Reconnected after a drop: something may have been missed, so read the list again.
  socket.on('inbox:ready', () => loadList());
  void loadList();
  startClockTicker();
}

function fatal(message) {
  app.replaceChildren(el('div', { class: 'card error-card', id: 'fatal', role: 'alert' }, message));
}

function expire(message) {
  session.clear();
  sessionStorage.setItem('hotline.notice', message);
  location.reload();
}

function layout() {
  app.replaceChildren(
    el(
      'div',
      { class: 'unit-layout' },
      el(
        'section',
        { class: 'card' },
        el(
          'div',
          { class: 'row spread' },
          el('h2', {}, '本单位工单（按到期先后）'),
          el('button', { type: 'button', id: 'refresh', onclick: () => loadList() }, '刷新'),
        ),
        el('p', { id: 'live-note', class: 'live-note', role: 'status' }),
        el('p', { id: 'list-error', class: 'error', role: 'alert' }),
        el('div', { id: 'inbox' }, el('p', { class: 'muted' }, '正在加载…')),
      ),
      el('section', { class: 'card', id: 'detail' }, el('p', { class: 'muted' }, '在左侧选择一张工单办理。')),
    ),
  );
}

async function loadList() {
  const error = $('#list-error');
  try {
    // The open orders in full (what the unit must act on), then the latest others for reference.
    const [dispatched, signed, recent] = await Promise.all([
      api('GET', '/work-orders?status=dispatched&limit=500'),
      api('GET', '/work-orders?status=signed&limit=500'),
      api('GET', '/work-orders?limit=100'),
    ]);
    const byId = new Map();
    for (const o of [...dispatched, ...signed, ...recent]) byId.set(o.id, o);
    await learnRoles([...byId.values()]);
    view.orders = sortDueFirst([...byId.values()]);
    error.textContent = '';
    renderList();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return expire(errorText(err));
    error.textContent = errorText(err);
  }
}

/**
 * The list names the lead unit only. Where this unit is not the lead it either assists or forwarded the order
 * (a county workstation keeps read access, art. 8); only the order itself says which. Read once per change
 * of the order, for open orders only (the others need no action either way).
 */
async function learnRoles(orders) {
  const unknown = orders.filter(
    (o) => o.leadUnitId !== view.unitId && OPEN.has(o.status) && view.roles.get(o.id)?.updatedAt !== o.updatedAt,
  );
  await Promise.all(
    unknown.map(async (o) => {
      const full = await api('GET', `/work-orders/${o.id}`);
      const a = full.assignments.at(-1);
      view.roles.set(o.id, {
        updatedAt: o.updatedAt,
        role: a?.assistingUnitIds.includes(view.unitId) ? 'assist' : 'forwarded',
      });
    }),
  );
}

/** Does this unit still have something to do on the order? A forwarded one is the new unit's to handle. */
const isOpen = (o) => OPEN.has(o.status) && myRoleKey(o) !== 'forwarded';

/** Open orders first, the nearest deadline first (overdue ones at the top); then the others, newest first. */
function sortDueFirst(orders) {
  const rank = (o) => (isOpen(o) ? 0 : 1);
  return orders.sort((a, b) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    if (rank(a) === 0) {
      const da = a.nextDeadlineAt ?? Number.MAX_SAFE_INTEGER;
      const db = b.nextDeadlineAt ?? Number.MAX_SAFE_INTEGER;
      if (da !== db) return da - db;
      if (a.supervisionLevel !== b.supervisionLevel) return b.supervisionLevel - a.supervisionLevel;
    }
    return b.updatedAt - a.updatedAt;
  });
}

function myRoleKey(o) {
  return o.leadUnitId === view.unitId ? 'lead' : (view.roles.get(o.id)?.role ?? 'assist');
}

const myRole = (o) => UNIT_ROLE_LABELS[myRoleKey(o)];

function renderList() {
  const box = $('#inbox');
  if (view.orders.length === 0) {
    box.replaceChildren(el('p', { class: 'muted', id: 'inbox-empty' }, '本单位暂无工单。'));
    return;
  }
  const head = el(
    'tr',
    {},
    ['工单号', '类型 / 类别', '状态', '本单位', '下一时限', '督办'].map((t) => el('th', {}, t)),
  );
  const rows = view.orders.map((o) => {
    const open = isOpen(o);
    const deadline =
      open && o.nextDeadlineAt !== null
        ? el(
            'td',
            { class: 'deadline' },
            el('span', { class: 'muted small' }, DEADLINE_LABELS[o.nextDeadlineKind] ?? ''),
            ' ',
            clockSpan(o.nextDeadlineAt, null),
          )
        : el('td', { class: 'muted' }, '—');
    return el(
      'tr',
      {
        class: `order-row${o.id === view.selected ? ' selected' : ''}${open ? '' : ' done'}`,
        dataset: { id: String(o.id) },
        tabindex: '0',
        onclick: () => select(o.id),
        onkeydown: (ev) => ev.key === 'Enter' && select(o.id),
      },
      el('td', { class: 'mono' }, `#${o.id}`),
      el(
        'td',
        {},
        o.emergency ? el('span', { class: 'badge urgent' }, '紧急') : null,
        o.confidential ? el('span', { class: 'badge secret' }, '保密') : null,
        `${TYPE_LABELS[o.type] ?? o.type} · ${view.categories.get(o.category) ?? o.category}`,
      ),
      el('td', {}, orderStatusLabel(o.status)),
      el('td', {}, myRole(o)),
      deadline,
      el('td', {}, levelBadge(o.supervisionLevel) ?? el('span', { class: 'muted' }, '—')),
    );
  });
  box.replaceChildren(
    el('table', { class: 'grid inbox', id: 'inbox-table' }, el('thead', {}, head), el('tbody', {}, rows)),
  );
}

async function select(id) {
  view.selected = id;
  for (const tr of document.querySelectorAll('tr.order-row'))
    tr.classList.toggle('selected', tr.dataset.id === String(id));
  const panel = $('#detail');
  try {
    view.detail = await api('GET', `/work-orders/${id}`);
    renderDetail();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return expire(errorText(err));
    panel.replaceChildren(el('p', { class: 'error', role: 'alert', id: 'detail-error' }, errorText(err)));
  }
}

function renderDetail() {
  const o = view.detail;
  const a = o.assignments.at(-1);
  const lead = a?.leadUnitId === view.unitId;
  const summary = view.orders.find((s) => s.id === o.id);
  const facts = [
    ['类型', `${TYPE_LABELS[o.type] ?? o.type} · ${view.categories.get(o.category.code) ?? o.category.code}`],
    ['状态', orderStatusLabel(o.status)],
    ['本单位', lead ? '主办' : a?.assistingUnitIds.includes(view.unitId) ? '协办' : '已转派'],
    ['诉求人', o.requester.name ?? '—'],
    ['电话', o.requester.phone ?? '—'],
    ['地点', o.location ?? '—'],
    ['受理时间', dateTime(o.receivedAt)],
  ];
  $('#detail').replaceChildren(
    ...kids(
      el(
        'div',
        { class: 'row spread' },
        el(
          'h2',
          { id: 'detail-title' },
          `工单 #${o.id}`,
          o.emergency ? el('span', { class: 'badge urgent' }, '紧急') : null,
        ),
        el('a', { href: `/ui/order?id=${o.id}`, id: 'open-detail' }, '查看详情与办理记录'),
      ),
      summary ? levelBadge(summary.supervisionLevel, { id: 'detail-level' }) : null,
      el(
        'dl',
        { class: 'facts' },
        facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
      ),
      el('h3', {}, '诉求内容'),
      el('p', { class: 'content', id: 'detail-content' }, o.content),
      el('h3', {}, '时限'),
      orderClocks(o),
      el('h3', {}, '办理'),
      el('p', { id: 'action-message', class: 'ok-note', role: 'status' }),
      el('p', { id: 'action-error', class: 'error', role: 'alert' }),
      actionForms(o, { unitId: view.unitId, units: view.units, run }),
    ),
  );
}

/** Runs one action on the selected order; says in Chinese what happened, then reloads. */
async function run(done, fn) {
  $('#action-error').textContent = '';
  $('#action-message').textContent = '';
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return expire(errorText(err));
    $('#action-error').textContent = errorText(err);
    return;
  }
  const id = view.selected;
  await loadList();
  if (id !== null) await select(id);
  $('#action-message').textContent = done;
}

function onEvent(e) {
  const level = e.kind === 'supervision' ? levelByKey(e.level) : null;
  const text =
    e.kind === 'dispatched'
      ? `新工单 #${e.orderId} 已派至本单位（${e.role === 'lead' ? '主办' : '协办'}）${e.emergency ? '，紧急工单请在 30 分钟内签收' : ''}`
      : `工单 #${e.orderId} 收到${level?.text ?? '督办'}（${DEADLINE_LABELS[e.deadline] ?? ''}）`;
  const note = $('#live-note');
  note.textContent = text;
  note.classList.remove('fresh');
  void note.offsetWidth;
  note.classList.add('fresh');
  void loadList().then(() => (view.selected === e.orderId ? select(e.orderId) : undefined));
}
