// Supervisor wallboard (laid out for 1920×1080): live figures, the waiting callers, agents, alerts,
// callbacks and the leaders on duty, all pushed over the /supervisor socket.io namespace
// (src/calls/namespace-supervisor.ts); the page never polls.
import {
  $,
  AGENT_STATUS_LABELS,
  ApiError,
  api,
  clockTime,
  dateTime,
  el,
  kids,
  openLivePage,
  pauseLabel,
  percent,
  seconds,
  session,
  signInForm,
  skillLabel,
} from '/ui/assets/common.js';
import { alertKindZh } from '/ui/assets/messages-zh.js';
import { renderDays } from '/ui/assets/wallboard-days.js';
import { renderAgentList, renderRota, renderWaitingList, tickDurations } from '/ui/assets/wallboard-lists.js';

const app = $('#app');
const view = { figures: null, serverOffset: 0, alerts: [], callbacks: new Map(), socket: null, canHandle: false };

const BREACH_CAUSES = {
  'nobody-ready': '无就绪坐席',
  rona: '坐席未接听',
  'all-busy': '坐席全忙',
  'still-ringing': '首次振铃未接',
};
const CALLBACK_REASONS = { abandoned_queue: '排队中放弃', abandoned_ringing: '振铃中放弃', requested: '来电预约回电' };
const CALLBACK_OUTCOMES = [
  ['reached', '已回电接通'],
  ['no_answer', '无人接听'],
  ['busy', '占线'],
  ['wrong_number', '号码错误'],
  ['resolved_elsewhere', '已另行解决'],
];

start();

async function start() {
  $('#logout').addEventListener('click', () => {
    view.socket?.disconnect();
    session.clear();
    location.reload();
  });
  const notice = sessionStorage.getItem('hotline.notice');
  sessionStorage.removeItem('hotline.notice');
  if (!session.token) await signInForm(app, { title: '班长登录', hint: notice ?? '使用班长或管理员账号登录。' });
  const user = session.user;
  view.canHandle = user?.role === 'supervisor';
  layout();
  const socket = openLivePage('/supervisor', {
    upText: '实时推送已连接',
    onForbidden: () =>
      app.replaceChildren(
        el(
          'div',
          { class: 'card error-card', id: 'fatal' },
          '当前账号的角色不能查看监控大屏（需要班长或管理员角色）。',
        ),
      ),
  });
  view.socket = socket;
  socket.on('figures', (f) => {
    view.figures = f;
    view.serverOffset = f.at - Date.now();
    renderFigures();
  });
  socket.on('alerts', (list) => {
    view.alerts = [...list].reverse();
    renderAlerts();
  });
  socket.on('alert', (a) => {
    view.alerts.unshift(a);
    view.alerts.length = Math.min(view.alerts.length, 200);
    renderAlerts(a.id);
  });
  socket.on('callbacks', (rows) => {
    view.callbacks = new Map(rows.map((r) => [r.id, r]));
    renderCallbacks();
  });
  socket.on('callback', (row) => {
    if (row.status === 'pending') view.callbacks.set(row.id, row);
    else view.callbacks.delete(row.id);
    renderCallbacks();
  });
  // Waits and state durations keep counting between pushes, on the server's clock.
  setInterval(() => {
    tickLongestWait();
    tickDurations(Date.now() + view.serverOffset);
  }, 1000);
}

function layout() {
  const card = (id, title, body, cls = 'card') => el('section', { class: cls, id }, el('h2', {}, title), body);
  app.replaceChildren(
    el('section', { class: 'tiles', id: 'tiles' }),
    el(
      'div',
      { class: 'board board-wall' },
      el(
        'div',
        { class: 'col' },
        card('queues-card', '各技能组排队', el('div', { id: 'queues' })),
        card('waiting-card', '排队来电', el('div', { id: 'waiting' })),
      ),
      el('div', { class: 'col' }, card('agents-card', '坐席状态', el('div', { id: 'agents' }))),
      el(
        'div',
        { class: 'col' },
        card('alerts-card', '实时告警', el('ol', { id: 'alerts', class: 'alerts' })),
        card('callbacks-card', '待回电列表', el('div', { id: 'callbacks' })),
        card('rota-card', '值班领导（领导轮值）', el('div', { id: 'rota' })),
      ),
      card('periods-card', '接通指标', el('div', { id: 'periods' }), 'card wide'),
      card('days-card', '分时段与分坐席指标', el('div', { id: 'days' }), 'card wide'),
    ),
  );
  renderFigures();
  renderAlerts();
  renderCallbacks();
}

/**
 * A wait as of now: the pushed figure plus the server time since the push. Any change to who waits
 * longest is pushed, so in between the same caller's wait simply grows.
 */
function waitNow(pushedMs, waiting) {
  const f = view.figures;
  if (!f || !waiting) return 0;
  return pushedMs + Math.max(0, Date.now() + view.serverOffset - f.at);
}

function longestWaitNow() {
  const f = view.figures;
  return f ? waitNow(f.live.longestWaitMs, f.live.waitingTotal > 0) : 0;
}

function tickLongestWait() {
  const f = view.figures;
  const t = $('#longest-wait');
  if (!t || !f) return;
  const wait = longestWaitNow();
  t.textContent = seconds(wait);
  t.closest('.tile')?.classList.toggle('hot', wait >= 15_000);
  for (const s of Object.keys(f.live.waiting)) {
    const cell = document.getElementById(`longest-${s}`);
    if (cell) cell.textContent = seconds(waitNow(f.live.longestWaitBySkill[s] ?? 0, (f.live.waiting[s] ?? 0) > 0));
  }
}

function tile(id, label, value, extra) {
  return el(
    'div',
    { class: `tile ${extra ?? ''}` },
    el('div', { class: 'tile-value', id }, value),
    el('div', { class: 'tile-label' }, label),
  );
}

function renderFigures() {
  const f = view.figures;
  const tiles = $('#tiles');
  if (!tiles) return;
  if (!f) {
    tiles.replaceChildren(el('p', { class: 'muted' }, '等待服务器推送数据…'));
    return;
  }
  $('#updated').textContent = `更新于 ${clockTime(f.at)}`;
  const a = f.live.agents;
  const wait = longestWaitNow();
  tiles.replaceChildren(
    tile('in-ivr', '语音导航中', f.live.inIvr),
    tile('waiting-total', '排队等待', f.live.waitingTotal, f.live.waitingTotal > 0 ? 'warm' : ''),
    tile('longest-wait', '当前最长等待', seconds(wait), wait >= 15_000 ? 'hot' : ''),
    tile('agents-ready', '就绪坐席', a.ready ?? 0),
    tile('agents-on-call', '通话中', (a['on-call'] ?? 0) + (a.reserved ?? 0)),
    tile('today-rate', '今日 20 秒接通率（监管口径）', percent(f.today.regulatorRate)),
    // The exchange with the regional platform (art. 5): shown only when the server pushes to one.
    ...(f.exchange
      ? [
          tile('exchange-pending', '待上报省平台', f.exchange.pending, f.exchange.pending > 0 ? 'warm' : ''),
          tile('exchange-failed', '上报失败重试中', f.exchange.failed, f.exchange.failed > 0 ? 'hot' : ''),
          tile('exchange-lag', '上报延迟', seconds(f.exchange.lagMs), f.exchange.lagMs >= 60_000 ? 'hot' : ''),
        ]
      : []),
  );

  const skills = Object.keys(f.live.waiting);
  $('#queues').replaceChildren(
    el(
      'table',
      { class: 'grid', id: 'queue-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, '技能组'),
          el('th', { class: 'num' }, '等待数'),
          el('th', { class: 'num' }, '最长等待'),
        ),
      ),
      el(
        'tbody',
        {},
        ...skills.map((s) =>
          el(
            'tr',
            { dataset: { skill: s } },
            el('td', {}, skillLabel(s)),
            el('td', { class: 'num', id: `waiting-${s}` }, f.live.waiting[s] ?? 0),
            el(
              'td',
              { class: 'num', id: `longest-${s}` },
              seconds(waitNow(f.live.longestWaitBySkill[s] ?? 0, (f.live.waiting[s] ?? 0) > 0)),
            ),
          ),
        ),
      ),
    ),
  );

  const states = ['ready', 'reserved', 'on-call', 'wrap-up', 'paused'];
  const paused = Object.entries(f.live.pausedByReason ?? {})
    .map(([r, n]) => `${pauseLabel(r)} ${n}`)
    .join('、');
  const serverNow = Date.now() + view.serverOffset;
  let chips = $('#agents-summary');
  if (!chips) {
    chips = el('div', { id: 'agents-summary' });
    $('#agents').replaceChildren(chips, el('div', { id: 'agent-rows' }));
  }
  chips.replaceChildren(
    ...kids(
      el(
        'div',
        { class: 'chips', id: 'agents-by-state' },
        ...states.map((s) =>
          el(
            'span',
            { class: `chip status-${s}`, dataset: { status: s } },
            `${AGENT_STATUS_LABELS[s]} `,
            el('b', {}, a[s] ?? 0),
          ),
        ),
      ),
      paused ? el('p', { class: 'muted small' }, `暂停原因：${paused}`) : null,
    ),
  );
  renderAgentList($('#agent-rows'), f, serverNow, view.socket, view.canHandle);
  renderWaitingList($('#waiting'), f, serverNow, view.socket, view.canHandle);
  renderRota($('#rota'), f);
  renderDays($('#days'), f, new Map((f.agentList ?? []).map((x) => [x.agentId, x.displayName])));

  const rows = [
    ['offered', '呼入（离开导航进入排队）', (p) => p.offered],
    ['answered', '接通', (p) => p.answered],
    ['within', '20 秒内接通', (p) => p.answeredWithinThreshold],
    ['abandoned', '放弃', (p) => p.abandoned],
    ['breaches', '超时（20 秒未接通）', (p) => p.breaches],
    ['pending', '仍在等待（未满 20 秒，暂不计入）', (p) => p.pending],
    ['asa', '平均应答速度（ASA）', (p) => seconds(p.averageSpeedOfAnswerMs)],
    ['regulator', '20 秒接通率（监管口径）', (p) => percent(p.regulatorRate)],
    ['service-level', '服务水平（接通口径）', (p) => percent(p.serviceLevel)],
  ];
  const ivrRows = [
    ['arrived', '来电总数（进入语音导航）'],
    ['abandoned', '导航中挂机'],
    ['transferred', '已转接'],
    ['callbackRequested', '预约回电'],
    ['completed', '自助服务完成'],
    ['invalidInputs', '无效按键（次）'],
    ['timeouts', '按键超时（次）'],
  ];
  $('#periods').replaceChildren(
    el(
      'table',
      { class: 'grid periods', id: 'period-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, '指标'),
          el('th', { class: 'num' }, '今日（北京时间 0 点起）'),
          el('th', { class: 'num' }, '滚动 24 小时'),
        ),
      ),
      el(
        'tbody',
        {},
        ...rows.map(([key, label, get]) =>
          el(
            'tr',
            { dataset: { metric: key } },
            el('td', {}, label),
            el('td', { class: 'num', id: `today-${key}` }, get(f.today)),
            el('td', { class: 'num', id: `rolling-${key}` }, get(f.rolling24h)),
          ),
        ),
      ),
    ),
    el(
      'table',
      { class: 'grid periods', id: 'ivr-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, '语音导航'),
          el('th', { class: 'num' }, '今日'),
          el('th', { class: 'num' }, '滚动 24 小时'),
        ),
      ),
      el(
        'tbody',
        {},
        ...ivrRows.map(([key, label]) =>
          el(
            'tr',
            { dataset: { metric: `ivr-${key}` } },
            el('td', {}, label),
            el('td', { class: 'num', id: `today-ivr-${key}` }, f.today.ivr?.[key] ?? 0),
            el('td', { class: 'num', id: `rolling-ivr-${key}` }, f.rolling24h.ivr?.[key] ?? 0),
          ),
        ),
      ),
    ),
    el(
      'ul',
      { class: 'formula', id: 'formulas' },
      el(
        'li',
        {},
        el('b', {}, '20 秒接通率（监管口径）'),
        ' = 20 秒内接通数 ÷ 呼入数。呼入含放弃和超时未接通的来电，考核按此口径。',
      ),
      el('li', {}, el('b', {}, '服务水平（接通口径）'), ' = 20 秒内接通数 ÷ 接通数。只看已接通的来电，不含放弃。'),
      el('li', {}, '等待时长从来电离开语音导航时起算；平均应答速度（ASA）= 接通来电的等待时长之和 ÷ 接通数。'),
    ),
  );
}

function alertText(a) {
  const kind = alertKindZh(a.kind);
  const parts = [kind];
  if (a.skill) parts.push(skillLabel(a.skill));
  if (a.waitedMs !== undefined && a.waitedMs !== null) parts.push(`已等待 ${seconds(a.waitedMs)}`);
  if (a.cause) parts.push(`原因：${BREACH_CAUSES[a.cause] ?? a.cause}`);
  if (a.agentId) parts.push(`坐席 ${a.agentId}`);
  return parts.join(' · ');
}

function renderAlerts(freshId) {
  const list = $('#alerts');
  if (!list) return;
  if (view.alerts.length === 0) {
    list.replaceChildren(el('li', { class: 'muted', id: 'no-alerts' }, '近 24 小时无告警'));
    return;
  }
  list.replaceChildren(
    ...view.alerts.slice(0, 50).map((a) =>
      el(
        'li',
        {
          class: `alert alert-${a.kind} ${a.id === freshId ? 'fresh' : ''}`,
          dataset: { kind: a.kind, callId: a.callId },
        },
        el('span', { class: 'alert-time' }, clockTime(a.at)),
        el('span', { class: 'alert-text' }, alertText(a)),
        el('span', { class: 'alert-call mono' }, a.callId),
      ),
    ),
  );
}

function renderCallbacks() {
  const box = $('#callbacks');
  if (!box) return;
  const rows = [...view.callbacks.values()].sort((x, y) => x.createdAt - y.createdAt);
  if (rows.length === 0) {
    box.replaceChildren(el('p', { class: 'muted', id: 'no-callbacks' }, '暂无待回电'));
    return;
  }
  box.replaceChildren(
    el(
      'table',
      { class: 'grid', id: 'callback-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, '号码'),
          el('th', {}, '原因'),
          el('th', {}, '时间'),
          el('th', {}, '已等待'),
          el('th', {}, '回电结果'),
        ),
      ),
      el(
        'tbody',
        {},
        ...rows.map((r) => {
          const select = el(
            'select',
            { 'aria-label': '回电结果' },
            // Never defaulted (issue 10): the outcome is chosen after the call, so the list starts empty.
            el('option', { value: '' }, '请选择回电结果'),
            ...CALLBACK_OUTCOMES.map(([v, l]) => el('option', { value: v }, l)),
          );
          const save = el('button', { type: 'button', disabled: true }, '记录');
          select.addEventListener('change', () => {
            save.disabled = select.value === '';
          });
          const msg = el('span', { class: 'error small' });
          save.addEventListener('click', async () => {
            msg.textContent = '';
            try {
              const row = await api('POST', `/callbacks/${r.id}/outcome`, { outcome: select.value });
              if (row.status === 'pending') view.callbacks.set(row.id, row);
              else view.callbacks.delete(row.id);
              renderCallbacks();
            } catch (err) {
              msg.textContent = err instanceof ApiError ? err.message : String(err);
            }
          });
          return el(
            'tr',
            { dataset: { callback: String(r.id) } },
            el('td', { class: 'mono' }, r.number),
            el('td', {}, CALLBACK_REASONS[r.reason] ?? r.reason),
            el('td', {}, dateTime(r.createdAt)),
            el('td', {}, seconds(r.waitedMs)),
            el('td', {}, view.canHandle ? el('span', { class: 'row' }, select, save, msg) : (r.outcome ?? '—')),
          );
        }),
      ),
    ),
  );
}
