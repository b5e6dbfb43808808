// Order detail (工单详情, /ui/order?id=N; docs/ui.md) for agents, supervisors, auditors, units and admins:
// the order as the server shows it to this user (numbers masked without phone:see-full), its clocks, the
// units and their answers, the linked call with a play button for recordings:read only, and the timeline
// from the audit trail. A refusal (403 not-your-unit / confidential, 404) is said in Chinese.
import {
  $,
  ApiError,
  api,
  dateTime,
  el,
  keepTokenFresh,
  orderStatusLabel,
  session,
  signInForm,
} from '/ui/assets/common.js';
import { levelBadge, orderClocks, startClockTicker } from '/ui/assets/order-clocks.js';
import {
  actionLabel,
  CHANNEL_LABELS,
  DEADLINE_LABELS,
  errorText,
  levelByKey,
  LEVELS,
  ROLE_LABELS,
  TYPE_LABELS,
} from '/ui/assets/unit-labels.js';

const app = $('#app');
const ROLES = ['agent', 'supervisor', 'auditor', 'unit_handler', 'admin'];

start();

async function start() {
  $('#logout').addEventListener('click', () => {
    session.clear();
    location.reload();
  });
  const id = new URLSearchParams(location.search).get('id') ?? '';
  if (!/^[1-9][0-9]{0,14}$/.test(id)) return fatal(errorText({ code: 'bad-order-id' }));
  const notice = sessionStorage.getItem('hotline.notice');
  sessionStorage.removeItem('hotline.notice');
  if (!session.token) await signInForm(app, { title: '登录后查看工单', hint: notice ?? undefined });
  const user = session.user;
  if (!ROLES.includes(user?.role)) return fatal(ERROR_ROLE);
  $('#whoami').textContent =
    user.displayName && user.displayName !== user.username ? `${user.displayName}（${user.username}）` : user.username;
  $('#logout').hidden = false;
  $('#back').hidden = user.role !== 'unit_handler';
  keepTokenFresh(() => expire('登录已过期，请重新登录'));
  try {
    const [order, audit, me, categories, units] = await Promise.all([
      api('GET', `/work-orders/${id}`),
      api('GET', `/work-orders/${id}/audit`),
      api('GET', '/auth/me'),
      api('GET', '/work-orders/categories'),
      api('GET', '/organisation/units'),
    ]);
    const ctx = {
      permissions: new Set(me.permissions ?? []),
      categories: new Map(categories.map((c) => [c.code, c.name])),
      units: new Map(units.map((u) => [u.id, u.name])),
    };
    render(order, audit, ctx);
    startClockTicker();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return expire(errorText(err));
    fatal(errorText(err), err?.status);
  }
}

const ERROR_ROLE = '当前账号的角色不能查看工单。';

function fatal(message, status) {
  app.replaceChildren(
    el(
      'div',
      { class: 'card error-card', id: 'fatal', role: 'alert', dataset: { status: String(status ?? '') } },
      message,
    ),
  );
}

function expire(message) {
  session.clear();
  sessionStorage.setItem('hotline.notice', message);
  location.reload();
}

const unitName = (ctx, id) => ctx.units.get(id) ?? id;

function render(o, audit, ctx) {
  const a = o.assignments.at(-1);
  const level = supervisionLevel(audit, a);
  const facts = [
    ['状态', el('span', { id: 'order-status' }, orderStatusLabel(o.status))],
    ['类型', TYPE_LABELS[o.type] ?? o.type],
    ['类别', ctx.categories.get(o.category.code) ?? o.category.code],
    ['来源', CHANNEL_LABELS[o.channel] ?? o.channel],
    ['受理时间', dateTime(o.receivedAt)],
    ['诉求人', o.requester.name ?? '—'],
    ['电话', el('span', { id: 'requester-phone', class: 'mono' }, o.requester.phone ?? '—')],
    ['联系电话', o.requester.contactPhone ?? '—'],
    ['地点', o.location ?? '—'],
  ];
  app.replaceChildren(
    el(
      'div',
      { class: 'order-layout' },
      el(
        'div',
        {},
        el(
          'section',
          { class: 'card', id: 'order-card' },
          el(
            'h2',
            { id: 'order-title' },
            `工单 #${o.id} `,
            o.emergency ? el('span', { class: 'badge urgent' }, '紧急') : null,
            o.confidential ? el('span', { class: 'badge secret' }, '保密') : null,
            levelBadge(level, { id: 'order-level' }),
          ),
          el(
            'dl',
            { class: 'facts' },
            facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
          ),
          el('h3', {}, '诉求内容'),
          el('p', { class: 'content', id: 'order-content' }, o.content),
          o.directAnswer ? [el('h3', {}, '直接答复'), el('p', { class: 'content' }, o.directAnswer.answer)] : null,
        ),
        el('section', { class: 'card', id: 'units-card' }, el('h2', {}, '承办'), unitsBlock(o, ctx)),
      ),
      el(
        'div',
        {},
        el('section', { class: 'card', id: 'clocks-card' }, el('h2', {}, '时限'), orderClocks(o)),
        el('section', { class: 'card', id: 'calls-card' }, el('h2', {}, '关联通话'), callsBlock(o, ctx)),
        el('section', { class: 'card', id: 'timeline-card' }, el('h2', {}, '办理记录'), timeline(audit, ctx)),
      ),
    ),
  );
}

/** The highest card issued since the current assignment was made (the audit trail keeps every notice). */
function supervisionLevel(audit, assignment) {
  const since = assignment?.dispatchedAt ?? 0;
  let level = 0;
  for (const e of audit) {
    if (!e.action.startsWith('supervision:') || e.at < since) continue;
    level = Math.max(level, LEVELS.indexOf(levelByKey(e.action.slice('supervision:'.length))));
  }
  return level;
}

function unitsBlock(o, ctx) {
  const a = o.assignments.at(-1);
  if (!a) return el('p', { class: 'muted' }, '尚未派单');
  const items = [
    ['主办单位', unitName(ctx, a.leadUnitId)],
    ['协办单位', a.assistingUnitIds.map((u) => unitName(ctx, u)).join('、') || '—'],
    ['派单时间', dateTime(a.dispatchedAt)],
  ];
  if (a.forwardedFrom) items.push(['转派自', unitName(ctx, a.forwardedFrom)]);
  // Flattened here: el() flattens its children one level only.
  return [
    el(
      'dl',
      { class: 'facts' },
      items.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
    ),
    a.extensions.length > 0
      ? [
          el('h3', {}, '延期申请'),
          el(
            'ul',
            { class: 'timeline', id: 'extensions' },
            a.extensions.map((x) =>
              el(
                'li',
                {},
                `${dateTime(x.requestedAt)} 申请延长 ${o.emergency ? `${x.extra / 3_600_000} 小时` : `${x.extra} 个工作日`}：${x.reason} — `,
                x.decision ? (x.decision.approved ? '已批准' : '已驳回') : '待审批',
              ),
            ),
          ),
        ]
      : null,
    a.opinions.length > 0
      ? [
          el('h3', {}, '协办意见'),
          el(
            'ul',
            { class: 'timeline' },
            a.opinions.map((p) => el('li', {}, `${unitName(ctx, p.unitId)}：${p.opinion}`)),
          ),
        ]
      : null,
    a.reply
      ? [
          el('h3', {}, '答复'),
          el('p', { class: 'content', id: 'reply-content' }, a.reply.content),
          el(
            'ul',
            { class: 'attachments', id: 'reply-attachments' },
            a.reply.attachments.map((f) =>
              el(
                'li',
                {},
                el(
                  'button',
                  { type: 'button', class: 'subtle', onclick: () => download(o.id, f) },
                  `下载 ${f.fileName}`,
                ),
              ),
            ),
          ),
        ]
      : null,
  ].flat();
}

/** The attachment through fetch with the token (a link cannot send it), saved by the browser. */
async function download(orderId, f) {
  const res = await fetch(`/work-orders/${orderId}/attachments/${f.id}`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  if (!res.ok) return alert(errorText({ status: res.status }));
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: f.fileName });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function callsBlock(o, ctx) {
  if (!o.callId) return el('p', { class: 'muted', id: 'no-call' }, '该工单不是电话受理，没有关联通话。');
  const canPlay = ctx.permissions.has('recordings:read');
  const list = el(
    'ul',
    { class: 'timeline', id: 'calls' },
    el('li', { dataset: { call: o.callId } }, `通话 ${o.callId}`),
  );
  if (!canPlay) return [list, el('p', { class: 'muted small', id: 'no-playback' }, '当前账号无录音调阅权限。')];
  const error = el('p', { class: 'error', role: 'alert', id: 'play-error' });
  const audio = el('audio', { id: 'audio', controls: true, preload: 'metadata', hidden: true });
  void api('GET', `/recordings?callId=${encodeURIComponent(o.callId)}`).then(
    (rows) => {
      const li = list.querySelector('li');
      if (rows.length === 0) li.append(el('span', { class: 'muted' }, '（无录音）'));
      for (const r of rows)
        li.append(
          ' ',
          el(
            'button',
            { type: 'button', class: 'play', dataset: { name: r.name }, onclick: () => play(r.name, audio, error) },
            `播放录音${r.durationMs ? `（${Math.round(r.durationMs / 1000)} 秒）` : ''}`,
          ),
        );
    },
    (err) => {
      error.textContent = errorText(err);
    },
  );
  return [list, audio, error];
}

async function play(name, audio, error) {
  error.textContent = '';
  try {
    // A 10-minute ticket for this recording only: an <audio> element cannot send the token.
    const started = await api('POST', `/recordings/${encodeURIComponent(name)}/playback`, {});
    audio.hidden = false;
    audio.src = started.url;
    audio.play().catch(() => {});
  } catch (err) {
    error.textContent = errorText(err);
  }
}

/**
 * What to show under a timeline entry: the people's own words (reasons, opinions, answers). The system's
 * reasons are English notes for the log, so a card shows its deadline instead and other system notes none.
 */
function note(e) {
  if (e.action.startsWith('supervision:') && e.data?.dueAt)
    return `${DEADLINE_LABELS[e.data.deadline] ?? ''} ${dateTime(e.data.dueAt)}`;
  if (e.actorRole === 'system' || e.actorRole === 'requester' || !e.reason) return '';
  // not-accept records "<reason code>: <note>": the code is the art. 21 reason, shown by the agent desk.
  if (e.action === 'not-accept') return e.reason.replace(/^[a-z-]+(: )?/, '');
  return e.reason;
}

function timeline(audit, ctx) {
  if (audit.length === 0) return el('p', { class: 'muted' }, '暂无记录');
  return el(
    'ol',
    { class: 'timeline', id: 'timeline' },
    audit.map((e) => {
      const who = e.actorRole === 'system' ? '系统' : `${ROLE_LABELS[e.actorRole] ?? e.actorRole} ${e.actorId}`;
      const unit = e.data?.unitId ? `（${unitName(ctx, e.data.unitId)}）` : '';
      const move =
        e.fromStatus && e.toStatus && e.fromStatus !== e.toStatus
          ? `：${orderStatusLabel(e.fromStatus)} → ${orderStatusLabel(e.toStatus)}`
          : '';
      return el(
        'li',
        { dataset: { action: e.action } },
        el('span', { class: 'alert-time' }, dateTime(e.at)),
        ' ',
        el('b', {}, actionLabel(e.action)),
        unit,
        move,
        ` · ${who}`,
        note(e) ? el('div', { class: 'muted small' }, note(e)) : null,
      );
    }),
  );
}
