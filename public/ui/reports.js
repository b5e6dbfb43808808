// Call and order reports (docs/reports.md): a day or a month of calls and orders, drawn as SVG charts in the
// page and exported as CSV. The figures follow the wallboard's definitions (src/domain/stats/README.md).
import {
  $,
  ApiError,
  api,
  el,
  keepTokenFresh,
  kids,
  percent,
  seconds,
  session,
  signInForm,
} from '/ui/assets/common.js';
import { barChart, lineChart } from '/ui/assets/svg-chart.js';

const app = $('#app');
const ROLES = ['supervisor', 'auditor', 'admin'];

start();

async function start() {
  $('#logout').addEventListener('click', () => {
    session.clear();
    location.reload();
  });
  if (!session.token) await signInForm(app, { title: '报表登录', hint: '使用班长、审计员或管理员账号登录。' });
  const user = session.user;
  if (!ROLES.includes(user?.role)) {
    app.replaceChildren(
      el(
        'div',
        { class: 'card error-card', id: 'fatal' },
        '当前账号的角色不能查看报表（需要班长、审计员或管理员角色）。',
      ),
    );
    return;
  }
  $('#whoami').textContent = user.username;
  $('#logout').hidden = false;
  keepTokenFresh(() => {
    session.clear();
    location.reload();
  });
  renderShell();
}

function today() {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

function renderShell() {
  const kind = el(
    'select',
    { id: 'period-kind' },
    el('option', { value: 'day' }, '日报'),
    el('option', { value: 'month' }, '月报'),
  );
  const day = el('input', { id: 'period-day', type: 'date', value: today() });
  const month = el('input', { id: 'period-month', type: 'month', value: today().slice(0, 7), hidden: true });
  kind.addEventListener('change', () => {
    day.hidden = kind.value !== 'day';
    month.hidden = kind.value !== 'month';
  });
  const error = el('p', { class: 'error', role: 'alert', id: 'report-error' });
  const form = el(
    'form',
    { class: 'card row', id: 'report-form' },
    el('label', {}, '报表 ', kind),
    day,
    month,
    el('button', { type: 'submit', class: 'primary', id: 'load' }, '生成报表'),
    error,
  );
  const out = el('div', { id: 'report' });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const q = kind.value === 'day' ? `day=${day.value}` : `month=${month.value}`;
    try {
      const [calls, orders] = await Promise.all([
        api('GET', `/reports/calls?${q}`),
        api('GET', `/reports/orders?${q}`),
      ]);
      out.replaceChildren(...renderCalls(calls, q), ...renderOrders(orders, q));
    } catch (err) {
      error.textContent =
        err instanceof ApiError && err.status === 400 ? `日期有误：${err.message}` : `报表生成失败：${err.message}`;
    }
  });
  app.replaceChildren(form, out);
}

async function download(path, name) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.token}` } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function csvButton(id, label, path, name) {
  return el('button', { type: 'button', id, onclick: () => download(path, name) }, label);
}

const tile = (label, value, id) =>
  el(
    'div',
    { class: 'tile', id },
    el('div', { class: 'tile-value' }, value),
    el('div', { class: 'tile-label' }, label),
  );

function callRows(rows, keyLabel) {
  return el(
    'table',
    { class: 'grid' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...[keyLabel, '呼入量', '接通量', '20秒内接通', '20秒接通率', '放弃量', '平均应答', '平均处理'].map((h) =>
          el('th', {}, h),
        ),
      ),
    ),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el(
          'tr',
          {},
          el('td', {}, r.key),
          ...[r.offered, r.answered, r.answeredWithinThreshold].map((v) => el('td', { class: 'num' }, v)),
          el('td', { class: 'num' }, percent(r.regulatorRate)),
          el('td', { class: 'num' }, r.abandoned),
          el('td', { class: 'num' }, seconds(r.averageSpeedOfAnswerMs)),
          el('td', { class: 'num' }, seconds(r.averageHandleTimeMs)),
        ),
      ),
    ),
  );
}

function renderCalls(r, q) {
  const t = r.total;
  const label = r.period.kind === 'day' ? r.period.label : `${r.period.label} 月`;
  const hours = r.hours.map((h) => h.key);
  const charts = [
    barChart({
      title: '分时段呼入与接通',
      labels: hours,
      series: [
        { name: '呼入量', values: r.hours.map((h) => h.offered) },
        { name: '接通量', values: r.hours.map((h) => h.answered) },
      ],
    }),
  ];
  if (r.period.kind === 'month')
    charts.push(
      lineChart({
        title: '每日20秒接通率',
        labels: r.days.map((d) => d.key.slice(8)),
        series: [
          { name: '20秒接通率', values: r.days.map((d) => (d.regulatorRate === null ? null : d.regulatorRate * 100)) },
        ],
        width: 720,
        height: 220,
        max: 100,
        fmt: (v) => `${Math.round(v)}%`,
      }),
    );
  return [
    el(
      'section',
      { class: 'card', id: 'call-report' },
      el('h2', {}, `话务报表 · ${label}`),
      el(
        'div',
        { class: 'tiles', id: 'call-summary' },
        tile('呼入量', t.offered, 'sum-offered'),
        tile('接通量', t.answered, 'sum-answered'),
        tile('20秒接通率', percent(t.regulatorRate), 'sum-rate'),
        tile('放弃量', t.abandoned, 'sum-abandoned'),
        tile('平均应答时长', seconds(t.averageSpeedOfAnswerMs), 'sum-asa'),
        tile('平均处理时长', seconds(t.averageHandleTimeMs), 'sum-aht'),
      ),
      el('div', { class: 'charts', id: 'call-charts' }, ...charts),
      el('h3', {}, '坐席'),
      callRows(r.agents, '坐席'),
      el('h3', {}, r.period.kind === 'month' ? '每日' : '分时段'),
      callRows(
        r.period.kind === 'month' ? r.days : r.hours.filter((h) => h.offered + h.ivr.arrived > 0),
        r.period.kind === 'month' ? '日期' : '时段',
      ),
      el(
        'div',
        { class: 'row' },
        csvButton(
          'csv-calls-days',
          '导出每日 CSV',
          `/reports/calls.csv?${q}&table=days`,
          `calls-${r.period.label}-days.csv`,
        ),
        csvButton(
          'csv-calls-hours',
          '导出分时段 CSV',
          `/reports/calls.csv?${q}&table=hours`,
          `calls-${r.period.label}-hours.csv`,
        ),
        csvButton(
          'csv-calls-agents',
          '导出坐席 CSV',
          `/reports/calls.csv?${q}&table=agents`,
          `calls-${r.period.label}-agents.csv`,
        ),
      ),
    ),
  ];
}

function countTable(rows, title) {
  return el(
    'table',
    { class: 'grid' },
    el(
      'thead',
      {},
      el('tr', {}, el('th', {}, title), el('th', { class: 'num' }, '工单量'), el('th', { class: 'num' }, '占比')),
    ),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el(
          'tr',
          {},
          el('td', {}, r.name),
          el('td', { class: 'num' }, r.count),
          el('td', { class: 'num' }, percent(r.share)),
        ),
      ),
    ),
  );
}

function renderOrders(r, q) {
  const bars = (title, rows) =>
    barChart({
      title,
      labels: rows.map((x) => x.name),
      series: [{ name: '工单量', values: rows.map((x) => x.count) }],
      width: 360,
    });
  return [
    el(
      'section',
      { class: 'card', id: 'order-report' },
      el('h2', {}, `工单报表 · 共 ${r.total} 件`),
      el(
        'div',
        { class: 'tiles' },
        tile('按时签收率', percent(r.onTime.signOnTimeRate), 'sum-sign'),
        tile('按时办结率', percent(r.onTime.completionOnTimeRate), 'sum-complete'),
      ),
      el(
        'div',
        { class: 'charts', id: 'order-charts' },
        bars('按渠道', r.byChannel),
        bars('按类型', r.byType),
        bars('按区域', r.byArea.slice(0, 12)),
      ),
      el('div', { class: 'columns' }, countTable(r.byCategory, '分类'), countTable(r.byArea, '区域')),
      el(
        'div',
        { class: 'row' },
        ...kids(
          ['channel', '渠道'],
          ['type', '类型'],
          ['category', '分类'],
          ['area', '区域'],
          ['units', '承办单位'],
        ).map(([t, name]) =>
          csvButton(
            `csv-orders-${t}`,
            `导出${name} CSV`,
            `/reports/orders.csv?${q}&table=${t}`,
            `orders-${r.period.label}-${t}.csv`,
          ),
        ),
      ),
    ),
  ];
}
