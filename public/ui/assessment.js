// Monthly assessment (docs/work-orders.md, art. 30–33): the published months of a cycle, the ranking, a chart
// per unit over the months, corrections after appeals, the printable bulletin, and publication for supervisors.
import { $, ApiError, api, dateTime, el, keepTokenFresh, session, signInForm } from '/ui/assets/common.js';
import { lineChart } from '/ui/assets/svg-chart.js';

const app = $('#app');
const ROLES = ['supervisor', 'auditor', 'admin', 'unit_handler'];
const ITEMS = [
  ['signOnTime', '按时签收'],
  ['completionOnTime', '按时办结'],
  ['returnRate', '退单率'],
  ['extensionRate', '延期率'],
  ['satisfaction', '满意度'],
  ['knowledgeUpkeep', '知识库维护'],
  ['materialReview', '材料审核'],
  ['ledgers', '台账记录'],
  ['testCalls', '人工拨测'],
];
const ERRORS = {
  'month-not-over': '该月尚未结束，不能发布。',
  'already-published': '该月已发布；发布后的更正须经申诉采纳后重新发布。',
  'invalid-month': '月份格式有误。',
};
const units = new Map();

start();

async function start() {
  $('#logout').addEventListener('click', () => {
    session.clear();
    location.reload();
  });
  if (!session.token)
    await signInForm(app, { title: '考核登录', hint: '使用班长、审计员、管理员或承办单位账号登录。' });
  const user = session.user;
  if (!ROLES.includes(user?.role)) {
    app.replaceChildren(el('div', { class: 'card error-card', id: 'fatal' }, '当前账号的角色不能查看考核结果。'));
    return;
  }
  $('#whoami').textContent = user.username;
  $('#logout').hidden = false;
  keepTokenFresh(() => {
    session.clear();
    location.reload();
  });
  try {
    for (const u of await api('GET', '/organisation/units')) units.set(u.id, u.name);
  } catch {
    // Names are a nicety: ids are shown instead.
  }
  renderShell(user);
}

const unitName = (id) => units.get(id) ?? id;

/** The cycle an instant belongs to: December counts towards the next year's cycle (art. 30). */
function currentCycle() {
  const d = new Date(Date.now() + 8 * 3_600_000);
  return d.getUTCMonth() === 11 ? d.getUTCFullYear() + 1 : d.getUTCFullYear();
}

function cycleMonths(cycle) {
  return [`${cycle - 1}-12`, ...Array.from({ length: 11 }, (_, i) => `${cycle}-${String(i + 1).padStart(2, '0')}`)];
}

function renderShell(user) {
  const cycle = el('input', { id: 'cycle', type: 'number', min: 2000, max: 2200, value: currentCycle() });
  const error = el('p', { class: 'error', role: 'alert', id: 'assessment-error' });
  const out = el('div', { id: 'assessment' });
  const load = async () => {
    error.textContent = '';
    try {
      out.replaceChildren(...render(await api('GET', `/assessment/publications?cycle=${cycle.value}`)));
    } catch (err) {
      error.textContent = `加载失败：${err.message}`;
    }
  };
  const form = el(
    'form',
    { class: 'card row', id: 'cycle-form' },
    el('label', {}, '考核周期（上年12月1日至当年11月30日） ', cycle),
    el('button', { type: 'submit', class: 'primary', id: 'load' }, '查看'),
    error,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });
  const parts = [form];
  if (user.role === 'supervisor' || user.role === 'admin') parts.push(publishForm(load));
  app.replaceChildren(...parts, out);
  load();
}

function publishForm(reload) {
  const month = el('input', { id: 'publish-month', type: 'month' });
  const msg = el('p', { role: 'status', id: 'publish-message' });
  const form = el(
    'form',
    { class: 'card row', id: 'publish-form' },
    el('label', {}, '发布月度考核结果 ', month),
    el('button', { type: 'submit', id: 'publish' }, '发布'),
    msg,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.className = '';
    try {
      const p = await api('POST', '/assessment/publications', { month: month.value });
      msg.textContent = `${p.month} 已发布（第${p.version}版）。`;
      await reload();
    } catch (err) {
      msg.className = 'error';
      msg.textContent = err instanceof ApiError ? (ERRORS[err.code] ?? err.message) : err.message;
    }
  });
  return form;
}

async function downloadBulletin(month, version) {
  const res = await fetch(`/assessment/publications/${month}/bulletin?version=${version}`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: `考核通报-${month}-第${version}版.html` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function render(data) {
  if (data.months.length === 0)
    return [el('p', { class: 'card muted', id: 'no-publication' }, `${data.cycle} 年度考核周期尚无已发布的月份。`)];
  const latest = data.months.at(-1);
  const labels = cycleMonths(data.cycle);
  const byMonth = new Map(data.months.map((m) => [m.month, m]));
  const unitIds = [...new Set(data.months.flatMap((m) => m.results.map((r) => r.unitId)))].sort();
  const ranking = el(
    'table',
    { class: 'grid', id: 'ranking' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', {}, '排名'),
        el('th', {}, '成员单位'),
        el('th', { class: 'num' }, '总分'),
        ...ITEMS.map(([, n]) => el('th', { class: 'num' }, n)),
      ),
    ),
    el(
      'tbody',
      {},
      ...latest.results.map((r) =>
        el(
          'tr',
          { dataset: { unit: r.unitId } },
          el('td', {}, r.rank),
          el('td', {}, unitName(r.unitId)),
          el('td', { class: 'num total' }, r.total.toFixed(2)),
          ...ITEMS.map(([k]) => el('td', { class: 'num' }, r.items[k].toFixed(2))),
        ),
      ),
    ),
  );
  const charts = unitIds.map((id) =>
    el(
      'div',
      { class: 'card unit-chart', dataset: { unit: id } },
      el('h3', {}, unitName(id)),
      lineChart({
        title: `${unitName(id)} 各月总分`,
        labels: labels.map((m) => `${Number(m.slice(5))}月`),
        series: [
          {
            name: '总分',
            values: labels.map((m) => byMonth.get(m)?.results.find((r) => r.unitId === id)?.total ?? null),
          },
        ],
        max: 100,
      }),
    ),
  );
  const months = data.months.map((m) =>
    el(
      'li',
      { id: `month-${m.month}` },
      el('b', {}, m.month),
      ` 第${m.version}版 · ${dateTime(m.publishedAt)} `,
      el(
        'button',
        { type: 'button', id: `bulletin-${m.month}`, onclick: () => downloadBulletin(m.month, m.version) },
        '下载月度通报',
      ),
      ...m.history.filter((h) => h.note).map((h) => el('div', { class: 'note' }, `第${h.version}版：${h.note}`)),
    ),
  );
  return [
    el('section', { class: 'card' }, el('h2', {}, `${latest.month} 排名（第${latest.version}版）`), ranking),
    el('section', {}, el('h2', {}, '各单位逐月总分'), el('div', { class: 'charts', id: 'unit-charts' }, ...charts)),
    el('section', { class: 'card' }, el('h2', {}, '已发布月份'), el('ul', { id: 'months' }, ...months)),
  ];
}
