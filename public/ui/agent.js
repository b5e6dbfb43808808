// Agent desktop: sign in, sign in to skills, ready / pause, the screen-pop while the phone rings and the
// call's state afterwards. Everything arrives over the /agent socket.io namespace (src/realtime/agent-namespace.ts).
import {
  $,
  AGENT_STATUS_LABELS,
  CALL_STATE_LABELS,
  PAUSE_REASONS,
  api,
  clockTime,
  command,
  el,
  kids,
  openLivePage,
  pauseLabel,
  seconds,
  session,
  signInForm,
  skillLabel,
} from '/ui/assets/common.js';
import { refusalText } from '/ui/assets/messages-zh.js';
import { clock, startRinging, stopRinging, unlockAudioOnFirstGesture } from '/ui/assets/agent-alerting.js';
import { WITHDRAWN_ZH, historyTable, openOrderView, transferControls } from '/ui/assets/agent-call-parts.js';
import { renderOrderForm } from '/ui/assets/agent-order-form.js';

const app = $('#app');
const view = { uiConfig: { skills: ['mandarin'], nodeLabels: {} }, agent: null, call: null, socket: null, message: '' };

start();

async function start() {
  $('#logout').addEventListener('click', logout);
  try {
    view.uiConfig = await api('GET', '/ui/config.json');
  } catch {
    // The defaults above still let the agent work.
  }
  const notice = sessionStorage.getItem('hotline.notice');
  sessionStorage.removeItem('hotline.notice');
  if (!session.token) await signInForm(app, { title: '坐席登录', hint: notice ?? '使用坐席或班长账号登录。' });
  begin();
  // /ui/agent#order=123 opens that order read-only (a link from another page, or a supervisor checking one).
  const linked = /^#order=([1-9][0-9]*)$/.exec(location.hash);
  if (linked) openOrderView(linked[1]);
}

function begin() {
  renderLayout();
  unlockAudioOnFirstGesture();
  // The waited and talk times tick between server pushes, on this page's clock.
  setInterval(tickTimers, 1000);
  const socket = openLivePage('/agent', {
    upText: '已连接',
    onForbidden: () => fatal('当前账号的角色不能接听电话（需要坐席或班长角色）。'),
  });
  view.socket = socket;
  socket.on('connect', () => {
    // A connection after the first is a reconnection: the server may have forgotten the sign-in (see below).
    view.reconnected = view.connectedBefore === true;
    view.connectedBefore = true;
  });
  socket.on('agent-state', (state) => {
    // The wrap-up countdown runs on this page's clock from the time left when the state was sent.
    view.wrapUpEndsLocal = state.wrapUp ? Date.now() + (state.wrapUp.endsAt - state.since) : null;
    if (view.agent && view.agent.status !== state.status) view.message = '';
    view.agent = state;
    renderAgent();
    rememberOrRestoreSignIn(state);
  });
  socket.on('current-call', (current) => {
    const same = current && view.call?.pop.callId === current.pop.callId;
    view.call = current
      ? { ...(same ? view.call : { poppedAt: Date.now() }), state: current.state, pop: current.pop, detail: undefined }
      : view.call?.state === 'ended'
        ? view.call
        : null;
    if (view.call && !same && current?.state !== 'ringing') view.call.talkSince = Date.now();
    ringingCues();
    renderCall();
  });
  socket.on('screen-pop', (pop) => {
    view.call = { state: 'ringing', pop, detail: undefined, poppedAt: Date.now() };
    ringingCues();
    renderCall();
  });
  // The caller's history read after the pop was pushed (a slow store, an order made since): the same call's pop
  // with its history, open-order count and draft; the call's state and clocks stay as they are.
  socket.on('pop-history', (pop) => {
    if (!view.call || view.call.pop.callId !== pop.callId) return;
    view.call = { ...view.call, pop };
    // An order form nobody has typed in yet is built again, so its merge suggestion follows the history.
    if (view.formTouched !== pop.callId) view.formFor = null;
    renderCall();
  });
  socket.on('call-update', (u) => {
    if (!view.call || view.call.pop.callId !== u.callId) return;
    const talkSince = view.call.talkSince ?? (u.state === 'answered' ? Date.now() : undefined);
    view.call = { ...view.call, state: u.state, detail: u.detail, talkSince };
    ringingCues();
    renderCall();
  });
}

/**
 * The desk keeps the extension and skills it is signed in with. When it reconnects and the server says the agent
 * is not signed in (a server restarted without the stored sign-ins, or a sign-in it could not restore), it signs
 * in again with them, once per reconnection, and says so; a refusal shows its Chinese message. A sign-out at any
 * other time (by the agent, the grace period, a supervisor) is taken as it is.
 */
function rememberOrRestoreSignIn(state) {
  if (state.status !== 'signed-out') {
    const extension = localStorage.getItem('hotline.extension');
    if (extension && state.skills?.length) view.lastSignIn = { extension, skills: [...state.skills] };
    view.reconnected = false;
    return;
  }
  const last = view.lastSignIn;
  const again = view.reconnected && last;
  view.reconnected = false;
  if (!again) {
    view.lastSignIn = null;
    return;
  }
  void (async () => {
    const ack = await command(view.socket, 'sign-in', last);
    showResult(ack, `连接恢复后已按原分机 ${last.extension} 自动重新签入`, {
      keep: true,
      failText: '操作失败（自动重新签入）：',
    });
  })();
}

function ringingCues() {
  if (view.call?.state === 'ringing') startRinging(view.call.pop.callerNumber);
  else stopRinging();
}

/** Wrap-up (事后处理): the code of the call just ended, the time left, and one more period up to the maximum. */
function wrapUpBox(a) {
  const cfg = view.uiConfig.wrapUp ?? { codes: [], periodMs: 0, maxMs: 0 };
  const code = el(
    'select',
    { id: 'wrap-up-code' },
    el('option', { value: '' }, '（请选择话后处理）'),
    ...cfg.codes.map((c) => el('option', { value: c.code, selected: c.code === a.wrapUp.code || undefined }, c.label)),
  );
  const set = el('button', { type: 'button', id: 'wrap-up-set' }, '确认');
  set.addEventListener('click', async () => {
    if (!code.value) return showResult({ ok: false, error: { code: 'wrap-up-code-required' } });
    showResult(await command(view.socket, 'wrap-up-code', { code: code.value }), '已记录话后处理');
  });
  const extend = el(
    'button',
    { type: 'button', id: 'wrap-up-extend', disabled: a.wrapUp.endsAt - a.wrapUp.startedAt >= cfg.maxMs || undefined },
    `延长 ${Math.round(cfg.periodMs / 1000)} 秒`,
  );
  extend.addEventListener('click', async () => showResult(await command(view.socket, 'extend-wrap-up'), '已延长'));
  const chosen = cfg.codes.find((c) => c.code === a.wrapUp.code);
  return el(
    'div',
    { class: 'wrap-up', id: 'wrap-up' },
    el(
      'div',
      { class: 'row' },
      el('b', {}, '话后处理'),
      el(
        'span',
        { id: 'wrap-up-left', class: 'mono' },
        view.wrapUpEndsLocal ? `剩余 ${clock(view.wrapUpEndsLocal - Date.now())}` : '',
      ),
    ),
    el('div', { class: 'row' }, code, set, extend),
    el(
      'p',
      { class: 'muted small', id: 'wrap-up-chosen' },
      chosen ? `已选：${chosen.label}` : '选择话后处理后才能置为就绪',
    ),
  );
}

function tickTimers() {
  const left = $('#wrap-up-left');
  if (left && view.wrapUpEndsLocal) left.textContent = `剩余 ${clock(view.wrapUpEndsLocal - Date.now())}`;
  const call = view.call;
  if (!call) return;
  const waited = $('#waited');
  if (waited && call.state === 'ringing')
    waited.textContent = `${seconds(call.pop.waitedMs + (Date.now() - call.poppedAt))}（离开语音导航至今）`;
  const talk = $('#talk-time');
  if (talk && call.talkSince && !['ended', 'withdrawn', 'transferred'].includes(call.state))
    talk.textContent = clock(Date.now() - call.talkSince);
}

function fatal(message) {
  app.replaceChildren(el('div', { class: 'card error-card', id: 'fatal' }, message));
}

function logout() {
  view.socket?.disconnect();
  session.clear();
  location.reload();
}

function renderLayout() {
  app.replaceChildren(
    el('section', { class: 'card', id: 'agent-panel' }),
    el('section', { class: 'card call-card', id: 'call-panel' }),
  );
  renderAgent();
  renderCall();
}

// Refusals with a Chinese explanation; the server's message (e.g. who holds the extension) follows it.
const REFUSALS = {
  'extension-in-use': '该分机已被其他坐席签入',
  'invalid-extension': '分机号格式不正确',
};

function showResult(ack, okText, opts = {}) {
  // A refusal whose detail matters to the person (who holds the extension, the pattern) shows both.
  const zh = ack.ok ? undefined : REFUSALS[ack.error.code];
  const text = ack.ok ? '' : zh ? `${zh}（${ack.error.message}）` : refusalText(ack.error);
  view.message = ack.ok ? (okText ?? '') : `${opts.failText ?? '操作失败：'}${text}`;
  const m = $('#agent-message');
  if (m) {
    m.textContent = view.message;
    m.className = ack.ok ? 'muted' : 'error';
  }
  // A confirmation fades after a few seconds; a refusal stays until the next action.
  if (ack.ok && view.message && !opts.keep) {
    const shown = view.message;
    setTimeout(() => {
      if (view.message !== shown) return;
      view.message = '';
      const el2 = $('#agent-message');
      if (el2) el2.textContent = '';
    }, 4000);
  }
  return ack.ok;
}

function renderAgent() {
  const panel = $('#agent-panel');
  if (!panel) return;
  const a = view.agent ?? { status: 'signed-out' };
  const badge = $('#agent-status');
  badge.hidden = false;
  badge.className = `badge status-${a.status}`;
  badge.dataset.status = a.status;
  badge.textContent =
    a.status === 'paused' && a.pauseReason
      ? `暂停 · ${pauseLabel(a.pauseReason)}`
      : (AGENT_STATUS_LABELS[a.status] ?? a.status);

  const children = [el('h2', {}, '坐席状态')];
  if (a.status === 'signed-out') {
    const ext = el('input', {
      id: 'extension',
      name: 'extension',
      inputmode: 'numeric',
      placeholder: '如 1001',
      required: true,
      value: localStorage.getItem('hotline.extension') ?? '',
    });
    const boxes = view.uiConfig.skills.map((s, i) =>
      el(
        'label',
        { class: 'check' },
        el('input', { type: 'checkbox', name: 'skill', value: s, checked: i === 0 || undefined }),
        skillLabel(s),
      ),
    );
    const form = el(
      'form',
      { id: 'skills-form' },
      el('label', {}, '分机号', ext),
      el('fieldset', {}, el('legend', {}, '签入技能组（服务台）'), ...boxes),
      el('button', { type: 'submit', class: 'primary', id: 'sign-in-skills' }, '签入'),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const skills = [...form.querySelectorAll('input[name=skill]:checked')].map((b) => b.value);
      if (skills.length === 0) return showResult({ ok: false, error: { message: '请至少选择一个技能组' } });
      localStorage.setItem('hotline.extension', ext.value.trim());
      showResult(await command(view.socket, 'sign-in', { extension: ext.value.trim(), skills }), '已签入');
    });
    children.push(form);
  } else {
    children.push(
      el(
        'dl',
        { class: 'facts' },
        el('dt', {}, '分机'),
        el('dd', { id: 'agent-endpoint' }, a.endpoint ?? '—'),
        el('dt', {}, '技能组'),
        el('dd', { id: 'agent-skills' }, (a.skills ?? []).map(skillLabel).join('、') || '—'),
        el('dt', {}, '状态开始'),
        el('dd', {}, clockTime(a.since)),
      ),
    );
    const ready = el(
      'button',
      {
        type: 'button',
        id: 'ready',
        class: 'primary',
        disabled: a.status === 'ready' || a.status === 'reserved' || a.status === 'on-call',
      },
      '就绪',
    );
    ready.addEventListener('click', async () => showResult(await command(view.socket, 'ready'), '已就绪'));
    const reason = el(
      'select',
      { id: 'pause-reason' },
      ...PAUSE_REASONS.filter(([c]) => c !== 'RONA' && c !== 'UNREACHABLE' && c !== 'SUPERVISOR').map(([code, label]) =>
        el('option', { value: code }, label),
      ),
    );
    const pause = el(
      'button',
      {
        type: 'button',
        id: 'pause',
        disabled: a.status === 'paused' || a.status === 'on-call' || a.status === 'reserved',
      },
      '暂停',
    );
    pause.addEventListener('click', async () =>
      showResult(await command(view.socket, 'pause', { reason: reason.value }), '已暂停'),
    );
    const signOut = el(
      'button',
      { type: 'button', id: 'sign-out', class: 'subtle', disabled: a.status === 'on-call' || a.status === 'reserved' },
      '签出',
    );
    signOut.addEventListener('click', async () => showResult(await command(view.socket, 'sign-out'), '已签出'));
    const wrapBox = a.status === 'wrap-up' && a.wrapUp ? wrapUpBox(a) : null;
    children.push(
      ...kids(wrapBox),
      el('div', { class: 'row' }, ready),
      el('div', { class: 'row' }, el('label', { class: 'inline' }, '暂停原因', reason), pause),
      el('div', { class: 'row' }, signOut),
    );
  }
  children.push(
    el('p', { id: 'agent-message', class: view.message.startsWith('操作失败') ? 'error' : 'muted' }, view.message),
  );
  panel.replaceChildren(...children);
}

function choiceText(c) {
  const node = view.uiConfig.nodeLabels[c.node] ?? c.node;
  const key = c.digit === null || c.digit === undefined ? '未按键（超时）' : `按 ${c.digit}`;
  const label = c.label && c.label !== 'timeout' ? ` · ${c.label}` : '';
  return `${node}：${key}${label}`;
}

function run(event, payload) {
  return command(view.socket, event, payload).then((ack) => showResult(ack));
}

function detailText(call) {
  if (!call.detail) return call.state === 'withdrawn' ? '来电已撤回' : null;
  if (call.state === 'withdrawn') return `来电已撤回：${WITHDRAWN_ZH[call.detail] ?? call.detail}`;
  return call.detail;
}

function renderCall() {
  const panel = $('#call-panel');
  if (!panel) return;
  const call = view.call;
  if (!call) {
    view.formFor = null;
    panel.replaceChildren(
      el('h2', {}, '当前来电'),
      el('p', { class: 'muted', id: 'no-call' }, '暂无来电。就绪后，来电振铃时这里会弹出来电信息，并响铃提醒。'),
    );
    return;
  }
  const p = call.pop;
  // The form keeps what the agent typed across call updates: it is built once per call.
  let top = $('#call-top');
  if (!top || view.formFor !== p.callId) {
    top = el('div', { id: 'call-top' });
    const slot = el('div', { id: 'order-slot' });
    panel.replaceChildren(top, el('h3', {}, '登记工单'), slot);
    view.formFor = p.callId;
    slot.addEventListener('input', () => (view.formTouched = p.callId), { once: true });
    renderOrderForm(slot, { pop: p, socket: view.socket });
  }
  const live = !['ended', 'withdrawn', 'transferred'].includes(call.state);
  const stateBadge = el(
    'span',
    { id: 'call-state', class: `badge call-${call.state}`, dataset: { state: call.state } },
    CALL_STATE_LABELS[call.state] ??
      (call.state === 'consulting' ? '咨询中' : call.state === 'consult-connected' ? '咨询已接通' : call.state),
  );
  const head = el(
    'div',
    { class: 'call-head' },
    el(
      'div',
      {},
      el('div', { class: 'label' }, '来电号码'),
      el('div', { id: 'caller-number', class: 'caller-number' }, p.callerNumber),
    ),
    stateBadge,
    el(
      'div',
      { class: 'talk' },
      el('div', { class: 'label' }, '通话时长'),
      el('div', { id: 'talk-time', class: 'mono big' }, call.talkSince ? clock(Date.now() - call.talkSince) : '—'),
    ),
  );
  const facts = el(
    'dl',
    { class: 'facts' },
    el('dt', {}, '通话编号'),
    el('dd', { id: 'call-id', class: 'mono' }, p.callId),
    el('dt', {}, '服务台'),
    el('dd', { id: 'call-skill' }, skillLabel(p.skill)),
    el('dt', {}, '等待时长'),
    el('dd', { id: 'waited' }, `${seconds(p.waitedMs)}（离开语音导航至振铃）`),
    el('dt', {}, '来电时间'),
    el('dd', {}, clockTime(p.arrivedAt)),
    el('dt', {}, '优先级'),
    el('dd', { id: 'priority' }, p.priority > 0 ? `${p.priority}（优先）` : '普通'),
    el('dt', {}, '重复来电'),
    el('dd', { id: 'repeat' }, p.repeatCaller ? `是，有 ${p.openOrders} 件未办结工单` : '否'),
  );
  const choices = p.ivrChoices?.length
    ? el('ol', { id: 'ivr-choices', class: 'ivr' }, ...p.ivrChoices.map((c) => el('li', {}, choiceText(c))))
    : el('p', { id: 'ivr-choices', class: 'muted' }, '未作选择（直接进入人工）');
  const path = el(
    'p',
    { id: 'ivr-path', class: 'muted small' },
    `导航路径：${(p.ivrPath ?? []).map((n) => view.uiConfig.nodeLabels[n] ?? n).join(' → ') || '—'}`,
  );

  const d = p.draft;
  const field = (label, id, value) => el('label', {}, label, el('input', { id, value: value ?? '', readonly: true }));
  const draft = el(
    'form',
    { id: 'draft', class: 'draft', onsubmit: (e) => e.preventDefault() },
    field('渠道', 'draft-channel', d.channel === 'phone' ? '电话' : d.channel),
    field('诉求人电话', 'draft-requester-phone', d.requesterPhone),
    field('联系电话', 'draft-contact-phone', d.contactPhone),
    field('服务台', 'draft-desk', skillLabel(d.desk)),
    field('语音导航选择', 'draft-ivr', d.ivrChoices.map((c) => (c === 'timeout' ? '未按键' : c)).join('、') || '无'),
    field('关联未办结工单', 'draft-repeat-of', d.repeatOf ?? '无'),
    field('来电编号', 'draft-call-id', d.callId),
  );

  const controls = el('div', { class: 'row controls', id: 'call-controls' });
  let transfer = null;
  if (live && call.state !== 'ringing') {
    const held = call.state === 'held';
    const hold = el('button', { type: 'button', id: held ? 'unhold' : 'hold' }, held ? '恢复通话' : '保持');
    hold.addEventListener('click', () => run(held ? 'unhold' : 'hold'));
    const hangup = el('button', { type: 'button', id: 'hangup', class: 'danger' }, '挂断');
    hangup.addEventListener('click', () => run('hangup'));
    controls.append(hold, hangup);
    transfer = transferControls(call.state, view.uiConfig.skills, run);
  } else if (call.state === 'ringing') {
    controls.append(el('span', { class: 'ringing-note' }, '话机振铃中，请摘机接听'));
  } else {
    const dismiss = el('button', { type: 'button', id: 'dismiss', class: 'subtle' }, '关闭');
    dismiss.addEventListener('click', () => {
      view.call = null;
      renderCall();
    });
    controls.append(dismiss);
  }
  const detail = detailText(call);

  top.replaceChildren(
    ...kids(
      el('h2', {}, '当前来电'),
      head,
      detail ? el('p', { class: call.state === 'withdrawn' ? 'error' : 'muted', id: 'call-detail' }, detail) : null,
      controls,
      transfer,
      el(
        'div',
        { class: 'columns' },
        el('div', {}, facts, el('h3', {}, '语音导航'), choices, path),
        el('details', { class: 'draft-box' }, el('summary', {}, '来电预填信息'), draft),
      ),
      el('h3', {}, `历史工单（未办结在前）${p.openOrders ? ` · 未办结 ${p.openOrders} 件` : ''}`),
      historyTable(p.history),
    ),
  );
  panel.classList.toggle('ended', !live);
}
