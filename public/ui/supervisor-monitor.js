// Listen, whisper and barge (监听 / 耳语 / 强插, issue 10) on the supervisor wallboard.
//
// Contract with the wallboard page (supervisor.html / supervisor.js), kept small so either side can change:
// - this file is loaded by its own <script type="module"> line and needs nothing from supervisor.js;
// - it opens its own /supervisor socket (same token) and sends the acknowledged commands
//   `monitor {agentId, mode, extension}` and `monitor-stop {}`; it listens to `monitor` pushes (the
//   supervisor's own sessions);
// - any element carrying `data-agent-id="<agent>"` (or the older `data-agent="<agent>"`) gets a 监听 button
//   appended (class `monitor-start`), re-applied whenever the page re-renders (MutationObserver);
// - it adds one panel, `#monitor-panel`, at the end of `#app`: the supervisor's own extension (remembered in
//   localStorage), an agent field for agents not on the board, the three mode buttons, 结束, and the session
//   state (`#monitor-state[data-state]`, `data-mode`). Refusals show their Chinese text (`messageZh`).
import { $, clockTime, command, connect, el, session } from '/ui/assets/common.js';

const MODES = [
  ['listen', '监听'],
  ['whisper', '耳语'],
  ['barge', '强插'],
];
const MODE_LABEL = Object.fromEntries(MODES);
const EXT_KEY = 'hotline.monitor.extension';
const view = { socket: null, session: null };

start();

function start() {
  // The wallboard shows its sign-in form first: mount once a supervisor is signed in and the page laid out.
  const ready = () => session.token && session.user?.role === 'supervisor' && $('#app');
  if (ready()) return mount();
  const watch = new MutationObserver(() => {
    if (!ready()) return;
    watch.disconnect();
    mount();
  });
  watch.observe(document.body, { childList: true, subtree: true });
}

function mount() {
  view.socket = connect('/supervisor');
  view.socket.on('monitor', (m) => {
    if (m.state === 'mode-ended') return; // a switch: the new mode's push follows
    view.session = m.state === 'ended' ? null : m;
    renderState(m.state === 'ended' ? `监听已结束（${clockTime(m.at)}）` : undefined);
  });
  panel();
  decorate();
  // The page re-renders its parts (and lays #app out after sign-in): put the panel and the buttons back.
  new MutationObserver(() => {
    if (!$('#monitor-panel')) {
      panel();
      renderState();
    }
    decorate();
  }).observe(document.body, { childList: true, subtree: true });
}

function panel() {
  if ($('#monitor-panel')) return;
  const ext = el('input', {
    id: 'monitor-extension',
    inputmode: 'numeric',
    size: 6,
    placeholder: '本人分机',
    value: localStorage.getItem(EXT_KEY) ?? '',
  });
  ext.addEventListener('change', () => localStorage.setItem(EXT_KEY, ext.value.trim()));
  const agent = el('input', { id: 'monitor-agent', size: 12, placeholder: '坐席账号' });
  const buttons = MODES.map(([mode, label]) => {
    const b = el('button', { type: 'button', id: `monitor-${mode}`, dataset: { mode } }, label);
    b.addEventListener('click', () => start_(agent.value.trim() || view.session?.agentId || '', mode));
    return b;
  });
  const stop = el('button', { type: 'button', id: 'monitor-stop' }, '结束监听');
  stop.addEventListener('click', async () => {
    const ack = await command(view.socket, 'monitor-stop', {});
    if (!ack.ok) renderState(undefined, ack.error);
  });
  const card = el(
    'section',
    { class: 'card', id: 'monitor-panel' },
    el('h2', {}, '监听 / 耳语 / 强插'),
    el(
      'p',
      { class: 'muted small' },
      '先拨通您签入的分机，再接入坐席通话：监听时双方都听不到您；耳语只有坐席听得到；强插三方通话。',
    ),
    el('div', { class: 'row' }, el('label', {}, '本人分机 ', ext), el('label', {}, ' 坐席 ', agent)),
    el('div', { class: 'row' }, ...buttons, stop),
    el('p', { id: 'monitor-state', dataset: { state: 'idle' } }, '未在监听'),
    el('p', { id: 'monitor-error', class: 'error', hidden: true }),
  );
  ($('#app') ?? document.body).append(card);
}

/** Adds a 监听 button to every agent element of the board that has none yet. */
function decorate() {
  for (const node of document.querySelectorAll('[data-agent-id], [data-agent]')) {
    // Our own buttons carry data-agent-id too: never decorate them (nor anything inside the panel).
    if (node.closest('#monitor-panel, .monitor-start') || node.querySelector(':scope .monitor-start')) continue;
    const agentId = node.dataset.agentId ?? node.dataset.agent;
    if (!agentId) continue;
    const b = el('button', { type: 'button', class: 'monitor-start small', dataset: { agentId } }, '监听');
    b.addEventListener('click', () => start_(agentId, 'listen'));
    const cell = node.tagName === 'TR' ? node.lastElementChild : node;
    cell?.append(' ', b);
  }
}

async function start_(agentId, mode) {
  const extension = $('#monitor-extension').value.trim();
  if (!agentId) return renderState(undefined, { messageZh: '请先选择要监听的坐席' });
  if (!extension) return renderState(undefined, { messageZh: '请填写本人分机号（用于接听监听电话）' });
  localStorage.setItem(EXT_KEY, extension);
  $('#monitor-agent').value = agentId;
  const ack = await command(view.socket, 'monitor', { agentId, mode, extension });
  if (!ack.ok) renderState(undefined, ack.error);
  else renderState(`正在呼叫分机 ${extension}…`);
}

function renderState(note, error) {
  const p = $('#monitor-state');
  const err = $('#monitor-error');
  if (!p || !err) return;
  err.hidden = !error;
  err.textContent = error ? (error.messageZh ?? error.message ?? '操作被拒绝') : '';
  if (error) return;
  const s = view.session;
  p.dataset.state = s ? s.state : 'idle';
  p.dataset.mode = s ? s.mode : '';
  if (!s) p.textContent = note ?? '未在监听';
  else if (s.state === 'ringing') p.textContent = `正在呼叫您的分机，接听后开始${MODE_LABEL[s.mode]}坐席 ${s.agentId}`;
  else p.textContent = `${MODE_LABEL[s.mode]}中：坐席 ${s.agentId}（自 ${clockTime(s.at)}）`;
  for (const [mode] of MODES) $(`#monitor-${mode}`)?.classList.toggle('primary', s?.mode === mode);
}
