// The desk's callback panel (回拨, issue 10 item 3): the pending callbacks with their tries, last outcome and
// next try; 回拨 takes one (the server rings this desk's phone, then dials the citizen showing 12345); once the
// call is over the agent chooses the outcome (nothing is preselected).
//
// Contract with the desk page (agent.html / agent.js), kept small so either side can change:
// - agent.html holds an empty `<section id="callbacks-panel">` and loads this file with one <script> line;
// - this file needs nothing from agent.js: it reads the session token and calls the HTTP API
//   (GET /callbacks?status=pending, POST /callbacks/:id/dial, POST /callbacks/:id/outcome); it follows its
//   callback call through the desk's state badge `#agent-status[data-status]` (reserved → on-call → wrap-up),
//   and opens no socket of its own (the desk's /agent socket shows the call's details: dialling, answered, why
//   it failed);
// - stable hooks for tests: `#callback-list tr[data-callback-id]`, `.callback-dial`, `#callback-active[data-state]`,
//   `#callback-outcome` (select), `#callback-outcome-submit`, `#callback-error`.
import { $, ApiError, api, clockTime, dateTime, el, session } from '/ui/assets/common.js';

const REASONS = { abandoned_queue: '排队中放弃', abandoned_ringing: '振铃中放弃', requested: '来电预约回电' };
const OUTCOMES = [
  ['reached', '已接通'],
  ['no_answer', '无人接听'],
  ['busy', '占线'],
  ['wrong_number', '号码错误'],
  ['resolved_elsewhere', '已另行解决'],
];
const OUTCOME_LABEL = Object.fromEntries(OUTCOMES);
/** The Chinese text of each refusal the server can give (codes of src/calls/routes-callbacks.ts). */
const REFUSALS = {
  'not-found': '回拨记录不存在',
  'already-done': '该回拨已处理完毕',
  taken: '该回拨正由其他坐席拨打',
  'quiet-hours': '当前为免打扰时段，不能回拨',
  'too-early': '未到下次回拨时间',
  'not-yours': '该回拨正由其他坐席处理',
  'agent-not-signed-in': '请先签入坐席（填写分机）再回拨',
  'agent-not-ready': '当前状态不能回拨（请先结束通话）',
  'bad-request': '请求内容有误',
  forbidden: '无权执行此操作',
  'invalid-input': '请求内容有误',
  'not-available': '本服务器未开启回拨外呼',
};
const CALL_STATES = {
  starting: '正在呼叫您的话机…',
  ringing: '正在呼叫您的话机…',
  'in-call': '正在拨打市民 / 通话中（录音）',
  ended: '通话已结束，请选择回拨结果',
};
const view = { rows: [], active: null };

start();

function start() {
  const ready = () => session.token && ['agent', 'supervisor'].includes(session.user?.role) && $('#callbacks-panel');
  if (ready()) return mount();
  const watch = new MutationObserver(() => {
    if (!ready()) return;
    watch.disconnect();
    mount();
  });
  watch.observe(document.body, { childList: true, subtree: true });
}

function mount() {
  // The desk's own state badge says where the callback call is: reserved (our phone rings), on-call (dialling
  // the citizen or talking), then wrap-up / ready / paused once it is over. No second socket is opened.
  const badge = () => $('#agent-status')?.dataset.status;
  let last = badge();
  new MutationObserver(() => {
    const now = badge();
    if (now === last) return;
    last = now;
    const a = view.active;
    if (!a || a.state === 'ended') return;
    if (now === 'reserved') a.state = 'ringing';
    else if (now === 'on-call') a.state = 'in-call';
    else if (a.state !== 'starting' || now === 'wrap-up') a.state = 'ended';
    renderActive();
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-status'], childList: true });
  const refresh = el('button', { type: 'button', id: 'callback-refresh', class: 'small' }, '刷新');
  refresh.addEventListener('click', load);
  $('#callbacks-panel').replaceChildren(
    el('h2', {}, '待回电', ' ', refresh),
    el('div', { id: 'callback-active', dataset: { state: 'idle' }, hidden: true }),
    el('p', { id: 'callback-error', class: 'error', hidden: true }),
    el('div', { id: 'callback-rows' }),
  );
  void load();
}

async function load() {
  try {
    view.rows = await api('GET', '/callbacks?status=pending');
    showError(null);
  } catch (err) {
    showError(err);
  }
  renderRows();
}

function renderRows() {
  const busy = view.active !== null;
  const rows = view.rows.map((r) =>
    el(
      'tr',
      { dataset: { callbackId: r.id } },
      el('td', {}, r.number),
      el('td', {}, REASONS[r.reason] ?? r.reason),
      el('td', {}, dateTime(r.createdAt)),
      el('td', { class: 'num' }, r.tries ?? 0),
      el('td', {}, r.outcome ? (OUTCOME_LABEL[r.outcome] ?? r.outcome) : '—'),
      el('td', {}, r.nextTryAt ? clockTime(r.nextTryAt) : '随时'),
      el(
        'td',
        {},
        r.diallingBy
          ? el('span', { class: 'muted' }, `${r.diallingBy} 拨打中`)
          : el(
              'button',
              { type: 'button', class: 'callback-dial small', disabled: busy, onclick: () => dial(r) },
              '回拨',
            ),
      ),
    ),
  );
  $('#callback-rows').replaceChildren(
    rows.length
      ? el(
          'table',
          { class: 'grid', id: 'callback-list' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...['号码', '原因', '来电时间', '已拨次数', '上次结果', '下次回拨', ''].map((h) => el('th', {}, h)),
            ),
          ),
          el('tbody', {}, ...rows),
        )
      : el('p', { class: 'muted', id: 'callback-empty' }, '暂无待回电'),
  );
}

async function dial(row) {
  try {
    const { callId } = await api('POST', `/callbacks/${row.id}/dial`, {});
    view.active = { callbackId: row.id, callId, number: row.number, state: 'starting' };
    showError(null);
  } catch (err) {
    showError(err);
  }
  renderActive();
  renderRows();
}

function renderActive() {
  const box = $('#callback-active');
  const a = view.active;
  box.hidden = !a;
  box.dataset.state = a ? a.state : 'idle';
  if (!a) return box.replaceChildren();
  const over = a.state === 'ended';
  const parts = [
    el('p', {}, `回拨 ${a.number}：`, el('b', { id: 'callback-call-state' }, CALL_STATES[a.state] ?? a.state)),
  ];
  if (over) {
    const select = el(
      'select',
      { id: 'callback-outcome', required: true },
      el('option', { value: '', selected: true, disabled: true }, '请选择回拨结果'),
      ...OUTCOMES.map(([v, label]) => el('option', { value: v }, label)),
    );
    const submit = el(
      'button',
      { type: 'submit', id: 'callback-outcome-submit', class: 'primary', disabled: true },
      '登记结果',
    );
    select.addEventListener('change', () => {
      submit.disabled = select.value === '';
    });
    const form = el('form', { id: 'callback-outcome-form' }, select, ' ', submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!select.value) return;
      try {
        await api('POST', `/callbacks/${a.callbackId}/outcome`, { outcome: select.value });
        view.active = null;
        showError(null);
        renderActive();
        await load();
      } catch (err) {
        showError(err);
      }
    });
    parts.push(form);
  }
  box.replaceChildren(...parts.filter(Boolean));
}

function showError(err) {
  const p = $('#callback-error');
  if (!p) return;
  p.hidden = !err;
  if (!err) {
    p.textContent = '';
    return;
  }
  const code = err instanceof ApiError ? err.code : undefined;
  p.dataset.code = code ?? '';
  p.textContent =
    REFUSALS[code] ?? (err instanceof ApiError && err.status === 403 ? REFUSALS.forbidden : '操作失败，请重试');
}
