// Wallboard lists (issue 10 item 2): who is waiting, the agents with the time in their state, and the
// leaders on duty (art. 23). Everything comes with the pushed `figures`; the durations tick locally
// on the server's clock between pushes. Agent rows are updated in place, keyed by `data-agent-id`,
// so controls other scripts add to a row's `.agent-actions` cell survive the pushes.
import { AGENT_STATUS_LABELS, command, el, kids, pauseLabel, skillLabel } from '/ui/assets/common.js';

/** 75 s → "1:15", 3 725 s → "1:02:05". */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Every `[data-since]` shows the time since then, on the server's clock. */
export function tickDurations(serverNow) {
  for (const node of document.querySelectorAll('[data-since]')) {
    node.textContent = duration(serverNow - Number(node.dataset.since));
  }
}

const FORCE_STATES = [
  ['paused', '置为暂停'],
  ['ready', '置为就绪'],
  ['signed-out', '强制签出'],
];

export function renderWaitingList(box, f, serverNow, socket, canAct) {
  const list = f.waitingCalls ?? [];
  if (list.length === 0) {
    box.replaceChildren(el('p', { class: 'muted', id: 'no-waiting' }, '当前无排队来电'));
    return;
  }
  const msg = el('p', { class: 'error small', id: 'waiting-message' });
  box.replaceChildren(
    el(
      'table',
      { class: 'grid waiting', id: 'waiting-list' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, '来电号码'),
          el('th', {}, '技能组'),
          el('th', { class: 'num' }, '已等待'),
          el('th', {}, '优先级'),
          el('th', {}, '状态'),
          canAct ? el('th', {}, '操作') : null,
        ),
      ),
      el(
        'tbody',
        {},
        ...list.map((w) => {
          const level = w.breached ? 'breach' : w.prewarned ? 'prewarn' : 'ok';
          const send = canAct
            ? el(
                'button',
                {
                  type: 'button',
                  class: 'small-button',
                  disabled: w.leadersOnly,
                  onclick: async () => {
                    msg.textContent = '';
                    const r = await command(socket, 'send-to-leaders', { callId: w.callId });
                    if (!r.ok) msg.textContent = r.error?.messageZh ?? r.error?.message ?? '操作失败';
                  },
                },
                '转值班领导',
              )
            : null;
          return el(
            'tr',
            { class: `wait-${level}`, dataset: { callId: w.callId, level } },
            el(
              'td',
              { class: 'mono' },
              w.number,
              w.repeatCaller ? el('span', { class: 'flag repeat', title: '有未办结工单的重复来电' }, '重复') : null,
            ),
            el('td', {}, skillLabel(w.skill)),
            el('td', { class: 'num wait-time', dataset: { since: String(w.since) } }, duration(serverNow - w.since)),
            el('td', {}, w.priority > 0 ? el('span', { class: 'flag priority' }, `优先 ${w.priority}`) : '普通'),
            el(
              'td',
              {},
              w.breached ? '超时' : w.prewarned ? '预警' : '等待中',
              w.leadersOnly ? ' · 已转领导' : '',
              w.ringingAt ? ` · 振铃 ${w.ringingAt}` : '',
            ),
            canAct ? el('td', {}, send) : null,
          );
        }),
      ),
    ),
    msg,
  );
}

function stateText(x) {
  if (x.status === 'paused' && x.reason) return `暂停 · ${pauseLabel(x.reason)}`;
  return AGENT_STATUS_LABELS[x.status] ?? x.status;
}

function forceControls(x, socket) {
  const select = el(
    'select',
    { class: 'force-state', 'aria-label': `${x.displayName} 的状态操作` },
    ...FORCE_STATES.map(([v, l]) => el('option', { value: v }, l)),
  );
  const reason = el('input', { class: 'force-reason', placeholder: '原因（必填）', maxlength: '500' });
  const msg = el('span', { class: 'error small force-message' });
  const go = el('button', { type: 'button', class: 'small-button force-go' }, '执行');
  go.addEventListener('click', async () => {
    msg.textContent = '';
    const r = await command(socket, 'agent-force', { agentId: x.agentId, state: select.value, reason: reason.value });
    if (r.ok) reason.value = '';
    else msg.textContent = r.error?.messageZh ?? r.error?.message ?? '操作失败';
  });
  return el('span', { class: 'force' }, select, reason, go, msg);
}

/** Fills the cells of an agent row (not its actions cell). */
function fillAgentRow(tr, x, serverNow) {
  const [name, state, since, call] = tr.cells;
  name.replaceChildren(
    ...kids(
      el('span', { class: 'agent-name' }, x.displayName),
      x.leaderOnDuty ? el('span', { class: 'flag leader' }, '值班领导') : null,
      el('span', { class: 'muted small agent-skills' }, ` ${x.skills.map(skillLabel).join('、')}`),
    ),
  );
  state.replaceChildren(el('span', { class: `badge status-${x.status}` }, stateText(x)));
  since.replaceChildren(
    el('span', { class: 'state-time', dataset: { since: String(x.since) } }, duration(serverNow - x.since)),
  );
  call.replaceChildren(
    ...(x.callId
      ? [
          el('span', { class: 'mono small' }, x.callId.slice(0, 12)),
          x.talkSince !== undefined
            ? el(
                'span',
                { class: 'talk-time', dataset: { since: String(x.talkSince) } },
                duration(serverNow - x.talkSince),
              )
            : null,
        ].filter(Boolean)
      : ['—']),
  );
  tr.dataset.status = x.status;
}

export function renderAgentList(box, f, serverNow, socket, canAct) {
  const rows = f.agentList ?? [];
  let table = box.querySelector('#agent-list');
  if (rows.length === 0) {
    box.replaceChildren(el('p', { class: 'muted', id: 'no-agents' }, '暂无签入坐席'));
    return;
  }
  if (!table) {
    table = el(
      'table',
      { class: 'grid', id: 'agent-list' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, '坐席'),
          el('th', {}, '状态'),
          el('th', { class: 'num' }, '持续'),
          el('th', {}, '当前通话 · 通话时长'),
          el('th', {}, '操作'),
        ),
      ),
      el('tbody', {}),
    );
    box.replaceChildren(table);
  }
  const body = table.tBodies[0];
  const existing = new Map([...body.rows].map((tr) => [tr.dataset.agentId, tr]));
  const seen = new Set();
  for (const x of rows) {
    seen.add(x.agentId);
    let tr = existing.get(x.agentId);
    if (!tr) {
      // data-agent-id: the row's key (supervisor-monitor.js hooks onto it); .agent-actions: the stable cell for actions.
      tr = el(
        'tr',
        { dataset: { agentId: x.agentId, agent: x.agentId } },
        el('td', {}),
        el('td', {}),
        el('td', { class: 'num' }),
        el('td', {}),
        el('td', { class: 'agent-actions' }, canAct ? forceControls(x, socket) : null),
      );
    }
    fillAgentRow(tr, x, serverNow);
    body.append(tr); // keeps the pushed order (by display name)
  }
  for (const [id, tr] of existing) if (!seen.has(id)) tr.remove();
  document.dispatchEvent(new CustomEvent('wallboard:agents', { detail: { agents: rows } }));
}

export function renderRota(box, f) {
  const rota = f.rota ?? [];
  if (rota.length === 0) {
    box.replaceChildren(el('p', { class: 'muted', id: 'no-rota' }, '今日无领导值班安排'));
    return;
  }
  const hm = (ms) =>
    new Date(ms).toLocaleTimeString('zh-CN', {
      hour12: false,
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'Asia/Shanghai',
    });
  box.replaceChildren(
    el(
      'ul',
      { class: 'rota', id: 'rota-list' },
      ...rota.map((r) =>
        el(
          'li',
          { class: r.onDutyNow ? 'on-duty' : 'later', dataset: { agentId: r.agentId, onDuty: String(r.onDutyNow) } },
          el('b', {}, r.displayName),
          // A span ending at midnight reads 24:00, not 00:00.
          ` ${hm(r.from)}–${hm(r.to) === '00:00' ? '24:00' : hm(r.to)}`,
          r.seat ? ` · 席位 ${r.seat}` : '',
          r.skill ? ` · ${skillLabel(r.skill)}` : ' · 全部技能组',
          ' · ',
          el(
            'span',
            { class: `badge status-${r.status}` },
            r.status === 'signed-out' ? '未签入' : (AGENT_STATUS_LABELS[r.status] ?? r.status),
          ),
          r.onDutyNow ? el('span', { class: 'flag leader' }, '值班中') : null,
        ),
      ),
    ),
  );
}
