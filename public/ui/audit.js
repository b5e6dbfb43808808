// Auditor console (docs/audit-console.md): search recordings, play them with seeking beside the call's
// timeline, download an evidence package, read the access log. Plain ES module, no build step; every
// request goes to this server with the signed-in user's token (CSP connect-src 'self').
import {
  $,
  ApiError,
  api,
  dateTime,
  el,
  keepTokenFresh,
  kids,
  seconds,
  session,
  signInForm,
  skillLabel,
} from '/ui/assets/common.js';
import { actionLabel, errorText, holdErrorText, OUTCOMES, outcomeLabel, stepText } from '/ui/assets/audit-labels.js';

const app = $('#app');
const view = {
  query: null,
  cursor: null,
  logBefore: null,
  nodeLabels: {},
  current: null,
  canReadLog: false,
  canHold: false,
};
const DAY = 86_400_000;

start();

async function start() {
  $('#logout').addEventListener('click', () => {
    session.clear();
    location.reload();
  });
  const notice = sessionStorage.getItem('hotline.notice');
  sessionStorage.removeItem('hotline.notice');
  if (!session.token)
    await signInForm(app, { title: '审计登录', hint: notice ?? '使用审计员、班长或管理员账号登录。' });
  const user = session.user;
  if (!['auditor', 'supervisor', 'admin'].includes(user?.role)) {
    app.replaceChildren(
      el(
        'div',
        { class: 'card error-card', id: 'fatal' },
        '当前账号的角色不能使用录音审计台（需要审计员、班长或管理员角色）。',
      ),
    );
    return;
  }
  $('#whoami').textContent =
    user.displayName && user.displayName !== user.username ? `${user.displayName}（${user.username}）` : user.username;
  $('#logout').hidden = false;
  keepTokenFresh(() => expire('登录已过期，请重新登录'));
  view.canReadLog = user.role === 'auditor' || user.role === 'admin';
  try {
    view.nodeLabels = (await api('GET', '/ui/config.json')).nodeLabels ?? {};
  } catch {
    view.nodeLabels = {};
  }
  // Legal holds are for roles with recordings:hold (supervisors, auditors); the others never see the buttons.
  try {
    view.canHold = ((await api('GET', '/auth/me')).permissions ?? []).includes('recordings:hold');
  } catch {
    view.canHold = false;
  }
  layout();
  if (view.canReadLog) loadAccessLog(true);
}

function expire(message) {
  session.clear();
  sessionStorage.setItem('hotline.notice', message);
  location.reload();
}

/** Runs an API call; a 401 returns to sign-in, anything else shows its Chinese text in `target`. */
async function guarded(target, fn) {
  target.textContent = '';
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return expire(errorText(err));
    target.textContent = errorText(err);
    return undefined;
  }
}

function layout() {
  const field = (label, input) => el('label', {}, label, input);
  const outcome = el(
    'select',
    { id: 'q-outcome' },
    el('option', { value: '' }, '全部'),
    OUTCOMES.map(([v, t]) => el('option', { value: v }, t)),
  );
  const form = el(
    'form',
    { class: 'card', id: 'search-form' },
    el('h2', {}, '录音查询'),
    el(
      'div',
      { class: 'search-grid' },
      field(
        '来电号码（完整号码或后 4 位）',
        el('input', {
          id: 'q-number',
          inputmode: 'numeric',
          autocomplete: 'off',
          placeholder: '完整号码，或只填后 4 位',
        }),
      ),
      field('坐席工号', el('input', { id: 'q-agent', autocomplete: 'off' })),
      field('工单编号', el('input', { id: 'q-order', autocomplete: 'off' })),
      field('开始日期', el('input', { id: 'q-from', type: 'date' })),
      field('结束日期', el('input', { id: 'q-to', type: 'date' })),
      field('最短时长（秒）', el('input', { id: 'q-min', type: 'number', min: '0' })),
      field('最长时长（秒）', el('input', { id: 'q-max', type: 'number', min: '0' })),
      field('通话结果', outcome),
    ),
    el(
      'div',
      { class: 'row' },
      el(
        'label',
        { class: 'check' },
        el('input', { type: 'checkbox', id: 'q-fallback' }),
        '仅应急录音（服务器离线期间）',
      ),
      el(
        'label',
        { class: 'check', id: 'held-filter', hidden: true },
        el('input', { type: 'checkbox', id: 'q-held' }),
        '仅法律保全',
      ),
      el('button', { type: 'submit', class: 'primary', id: 'search-submit' }, '查询'),
      el('button', { type: 'button', id: 'export-csv', onclick: () => exportCsv() }, '导出通话详单（CSV）'),
    ),
    el(
      'p',
      { class: 'muted small' },
      '号码在结果中按权限脱敏显示（如 138****1234）。只填后 4 位时，只匹配 8 位以上的号码。每次查询都记入访问日志。',
    ),
    el('p', { class: 'error', role: 'alert', id: 'search-error' }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    search(true);
  });
  const results = el(
    'section',
    { class: 'card', id: 'results-card' },
    el('h2', {}, '查询结果'),
    el(
      'table',
      { class: 'grid', id: 'results' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['录音时间', '来电号码', '坐席', '时长', '通话结果', '来源', '保全', ''].map((h) => el('th', {}, h)),
        ),
      ),
      el('tbody', {}),
    ),
    el('p', { class: 'muted', id: 'results-empty' }, '请输入条件后查询。'),
    el('button', { type: 'button', id: 'more', hidden: true, onclick: () => search(false) }, '加载更多'),
  );
  const player = el('section', { class: 'card', id: 'player-card', hidden: true });
  const log = view.canReadLog
    ? el(
        'section',
        { class: 'card', id: 'access-log-card' },
        el(
          'div',
          { class: 'row spread' },
          el('h2', {}, '访问日志'),
          el('button', { type: 'button', id: 'log-refresh', onclick: () => loadAccessLog(true) }, '刷新'),
        ),
        el('p', { class: 'muted small' }, '谁在何时查询、播放、下载了哪条录音。'),
        el(
          'table',
          { class: 'grid', id: 'access-log' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['时间', '操作人', '角色', '操作', '录音', '说明'].map((h) => el('th', {}, h)),
            ),
          ),
          el('tbody', {}),
        ),
        el('p', { class: 'error', role: 'alert', id: 'log-error' }),
        el('button', { type: 'button', id: 'log-more', hidden: true, onclick: () => loadAccessLog(false) }, '加载更多'),
      )
    : null;
  app.replaceChildren(
    el('div', { class: 'audit-layout' }, el('div', {}, form, results), el('div', {}, kids(player, log))),
  );
}

/** The form as query parameters, or a Chinese reason it cannot be sent. */
function readQuery() {
  const q = new URLSearchParams();
  const number = $('#q-number').value.replace(/[\s-]/g, '');
  if (number) {
    if (/^\d{4}$/.test(number)) q.set('last4', number);
    else if (/^\+?\d{5,20}$/.test(number)) q.set('number', number);
    else return { error: '号码请填写完整号码，或只填后 4 位数字' };
  }
  const text = (id, key) => {
    const v = $(id).value.trim();
    if (v) q.set(key, v);
  };
  text('#q-agent', 'agent');
  text('#q-order', 'workOrder');
  // Dates are days in the hotline's time (Asia/Shanghai, UTC+8); the end date is inclusive.
  const day = (v) => Date.parse(`${v}T00:00:00+08:00`);
  if ($('#q-from').value) q.set('from', String(day($('#q-from').value)));
  if ($('#q-to').value) q.set('to', String(day($('#q-to').value) + DAY));
  const secs = (id, key) => {
    const v = $(id).value;
    if (v !== '') q.set(key, String(Math.round(Number(v) * 1000)));
  };
  secs('#q-min', 'minDurationMs');
  secs('#q-max', 'maxDurationMs');
  text('#q-outcome', 'outcome');
  if ($('#q-fallback').checked) q.set('fallback', 'true');
  if ($('#q-held').checked) q.set('held', 'true');
  return { query: q };
}

async function search(fresh) {
  const errorBox = $('#search-error');
  if (fresh) {
    const r = readQuery();
    if (r.error) {
      errorBox.textContent = r.error;
      return;
    }
    view.query = r.query;
    view.cursor = null;
  }
  const q = new URLSearchParams(view.query);
  if (!fresh && view.cursor) q.set('cursor', view.cursor);
  const page = await guarded(errorBox, () => api('GET', `/recordings/search?${q}`));
  if (!page) return;
  view.cursor = page.nextCursor;
  $('#held-filter').hidden = page.heldFilter !== true;
  const body = $('#results tbody');
  if (fresh) body.replaceChildren();
  for (const r of page.items) body.append(resultRow(r));
  $('#results-empty').textContent = body.children.length ? '' : '没有符合条件的录音。';
  $('#more').hidden = !page.nextCursor;
}

function resultRow(r) {
  return el(
    'tr',
    { dataset: { name: r.name } },
    el('td', {}, dateTime(r.startedAt)),
    el('td', { class: 'mono' }, r.callerNumber),
    el('td', {}, r.agentId ?? '—'),
    el('td', { class: 'num' }, seconds(r.durationMs)),
    el('td', {}, outcomeLabel(r.outcome)),
    el('td', {}, r.fallback ? '应急录音' : '正常'),
    el('td', { class: 'held-cell' }, r.held ? '保全中' : '—'),
    el('td', {}, el('button', { type: 'button', class: 'play', onclick: () => openRecording(r.name) }, '播放')),
  );
}

async function openRecording(name) {
  const card = $('#player-card');
  card.hidden = false;
  const error = el('p', { class: 'error', role: 'alert', id: 'player-error' });
  card.replaceChildren(el('h2', {}, '录音播放'), el('p', { class: 'muted' }, '正在加载…'), error);
  const d = await guarded(error, () => api('GET', `/recordings/${encodeURIComponent(name)}/details`));
  if (!d) return;
  view.current = name;
  const audio = el('audio', { id: 'audio', controls: true, preload: 'metadata' });
  const rec = d.recording;
  card.replaceChildren(
    el('h2', {}, '录音播放'),
    audio,
    el(
      'dl',
      { class: 'facts', id: 'recording-facts' },
      el('dt', {}, '录音'),
      el('dd', { class: 'mono', id: 'recording-name' }, rec.name),
      el('dt', {}, '来电号码'),
      el('dd', { class: 'mono' }, d.call.callerNumber),
      el('dt', {}, '时长'),
      el('dd', { id: 'recording-duration' }, seconds(rec.durationMs)),
      el('dt', {}, 'SHA-256'),
      el('dd', { class: 'mono small hash' }, rec.sha256 ?? '—'),
      el('dt', {}, '保存至'),
      el('dd', {}, dateTime(rec.retainUntil)),
    ),
    el(
      'div',
      { class: 'row' },
      el(
        'button',
        { type: 'button', class: 'primary', id: 'download-package', onclick: () => downloadPackage(rec.name, error) },
        '下载证据包',
      ),
    ),
    error,
    el('section', { id: 'hold-panel' }),
    el('h3', {}, '通话时间线'),
    el(
      'ol',
      { class: 'timeline', id: 'timeline' },
      d.timeline.map((s) =>
        el(
          'li',
          { dataset: { kind: s.kind } },
          el('span', { class: 'alert-time' }, s.at === null ? '' : dateTime(s.at)),
          ' ',
          stepText(s, view.nodeLabels, skillLabel),
        ),
      ),
    ),
    el('h3', {}, '关联工单'),
    d.workOrders.length
      ? el(
          'ul',
          { id: 'work-orders' },
          d.workOrders.map((o) =>
            el(
              'li',
              {},
              o.withheld || o.missing ? `工单 ${o.id}（无权查看或不存在）` : `工单 ${o.id}：${o.content ?? ''}`,
            ),
          ),
        )
      : el('p', { class: 'muted', id: 'work-orders' }, '无'),
  );
  renderHold(rec);
  // The player's URL carries a 10-minute ticket for this recording only (an <audio> element cannot send the token).
  const started = await guarded(error, () => api('POST', `/recordings/${encodeURIComponent(name)}/playback`, {}));
  if (!started || view.current !== name) return;
  audio.addEventListener('error', () => {
    error.textContent = '录音无法播放（凭证失效或文件不可用），请重新点击“播放”';
  });
  audio.src = started.url;
  audio.play().catch(() => {
    // Autoplay may be refused; the controls still play it.
  });
  if (view.canReadLog) loadAccessLog(true);
}

/**
 * The legal hold of the shown recording (issue 11 item 3): its state for everyone, and 法律保全 / 解除保全
 * for roles with recordings:hold. Both actions need a reason (and a hold a case reference); both are audited.
 */
function renderHold(rec) {
  const panel = $('#hold-panel');
  if (!panel) return;
  const held = rec.heldAt !== null && rec.heldAt !== undefined;
  const state = held
    ? el(
        'p',
        { id: 'hold-state', class: 'held', dataset: { held: 'true' } },
        `法律保全中：案件编号 ${rec.holdCaseRef ?? '—'}，原因：${rec.holdReason ?? '—'}（${rec.heldBy ?? '—'} 于 ${dateTime(rec.heldAt)} 设置）。保全期间不会被清除。`,
      )
    : el('p', { id: 'hold-state', class: 'muted', dataset: { held: 'false' } }, '未处于法律保全。');
  const error = el('p', { class: 'error', role: 'alert', id: 'hold-error' });
  if (!view.canHold) {
    panel.replaceChildren(el('h3', {}, '法律保全'), state);
    return;
  }
  const reason = el('input', {
    id: held ? 'release-reason' : 'hold-reason',
    maxlength: '500',
    autocomplete: 'off',
    placeholder: held ? '解除原因（必填）' : '保全原因（必填）',
  });
  const caseRef = held
    ? null
    : el('input', { id: 'hold-case', maxlength: '100', autocomplete: 'off', placeholder: '案件编号（必填）' });
  const submit = async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const body = { reason: reason.value.trim() };
    if (!body.reason) {
      error.textContent = held ? '请填写解除保全的原因' : '请填写保全原因';
      return;
    }
    if (caseRef) {
      body.caseRef = caseRef.value.trim();
      if (!body.caseRef) {
        error.textContent = '请填写案件编号';
        return;
      }
    }
    try {
      const row = await api('POST', `/recordings/${encodeURIComponent(rec.name)}/${held ? 'release' : 'hold'}`, body);
      const next = { ...rec, ...row };
      if (view.current === rec.name) renderHold(next);
      const cell = document.querySelector(`#results tbody tr[data-name="${CSS.escape(rec.name)}"] .held-cell`);
      if (cell) cell.textContent = row.heldAt !== null ? '保全中' : '—';
      if (view.canReadLog) loadAccessLog(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return expire(errorText(err));
      const message = holdErrorText(err);
      // Someone else held or released it meanwhile: show the state as it is now, with the refusal.
      if (err instanceof ApiError && (err.code === 'already-held' || err.code === 'not-held')) {
        const fresh = await api('GET', `/recordings/${encodeURIComponent(rec.name)}/details`).catch(() => null);
        if (fresh && view.current === rec.name) {
          renderHold(fresh.recording);
          const cell = document.querySelector(`#results tbody tr[data-name="${CSS.escape(rec.name)}"] .held-cell`);
          if (cell) cell.textContent = fresh.recording.heldAt !== null ? '保全中' : '—';
        }
        if (view.canReadLog) loadAccessLog(true);
      }
      const box = $('#hold-error');
      if (box) box.textContent = message;
    }
  };
  const form = el(
    'form',
    { id: held ? 'release-form' : 'hold-form', class: 'row' },
    el('label', {}, held ? '解除原因' : '保全原因', reason),
    caseRef ? el('label', {}, '案件编号', caseRef) : null,
    el('button', { type: 'submit', id: held ? 'release-submit' : 'hold-submit' }, held ? '解除保全' : '法律保全'),
  );
  form.addEventListener('submit', submit);
  panel.replaceChildren(el('h3', {}, '法律保全'), state, form, error);
}

function downloadPackage(name, error) {
  return downloadFile(`/recordings/${encodeURIComponent(name)}/package`, `evidence-${name}.tar`, error);
}

/** The CDR of the chosen dates (all calls, not only recorded ones) as CSV for Excel. */
function exportCsv() {
  const error = $('#search-error');
  const r = readQuery();
  if (r.error) {
    error.textContent = r.error;
    return undefined;
  }
  const q = new URLSearchParams();
  for (const k of ['from', 'to']) if (r.query.has(k)) q.set(k, r.query.get(k));
  const qs = q.toString();
  return downloadFile(`/calls/export.csv${qs ? `?${qs}` : ''}`, 'calls.csv', error);
}

/** Downloads with the session's token (a plain link could not send it) and saves under `filename`. */
async function downloadFile(url, filename, error) {
  error.textContent = '';
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${session.token}` } });
    if (!res.ok) {
      let body = null;
      try {
        body = await res.json();
      } catch {
        body = null;
      }
      throw new ApiError(res.status, body);
    }
    const blob = await res.blob();
    const a = el('a', { href: URL.createObjectURL(blob), download: filename, hidden: true });
    document.body.append(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 1000);
    if (view.canReadLog) loadAccessLog(true);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return expire(errorText(err));
    error.textContent = errorText(err);
  }
}

async function loadAccessLog(fresh) {
  const q = new URLSearchParams({ limit: '50' });
  if (!fresh && view.logBefore) q.set('before', String(view.logBefore));
  const page = await guarded($('#log-error'), () => api('GET', `/recordings/access-log?${q}`));
  if (!page) return;
  view.logBefore = page.nextBefore;
  const body = $('#access-log tbody');
  if (fresh) body.replaceChildren();
  for (const r of page.items) {
    body.append(
      el(
        'tr',
        { dataset: { action: r.action, recording: r.entityId } },
        el('td', {}, dateTime(r.at)),
        el('td', {}, r.actorId),
        el('td', {}, ROLE_LABELS[r.actorRole] ?? r.actorRole),
        el('td', {}, actionLabel(r.action)),
        el('td', { class: 'mono small' }, r.entityId === '*' || r.entity === 'calls' ? '—' : r.entityId),
        el('td', { class: 'small' }, logNote(r)),
      ),
    );
  }
  $('#log-more').hidden = !page.nextBefore;
}

const ROLE_LABELS = { auditor: '审计员', supervisor: '班长', admin: '管理员', agent: '坐席' };

function logNote(r) {
  const d = r.data ?? {};
  if (r.action === 'search') {
    const parts = [];
    if (d.number) parts.push(`号码 ${d.number}`);
    if (d.last4) parts.push(`后 4 位 ${d.last4}`);
    if (d.agent) parts.push(`坐席 ${d.agent}`);
    if (d.workOrder) parts.push(`工单 ${d.workOrder}`);
    parts.push(`${d.results ?? 0} 条结果`);
    return parts.join('，');
  }
  if (r.action === 'export-csv') return '导出通话详单 CSV';
  if ((r.action === 'hold' || r.action === 'release') && d.caseRef) return `案件 ${d.caseRef}`;
  if (r.action === 'list') return `${d.results ?? 0} 条结果`;
  return d.callId ? `通话 ${d.callId}` : '';
}
