// Figures by hour and by agent, today and yesterday (issue 10 item 5), from the pushed `figures.days`.
// Definitions: src/domain/stats/call-figures.ts; the same numbers as GET /calls/figures/days.
import { el, percent, seconds } from '/ui/assets/common.js';

const COLUMNS = [
  ['offered', '呼入', (x) => x.offered],
  ['answered', '接通', (x) => x.answered],
  ['answer-rate', '接通率', (x) => percent(x.answerRate)],
  ['asa', '平均应答 (ASA)', (x) => seconds(x.asaMs)],
  ['aht', '平均处理 (AHT)', (x) => seconds(x.ahtMs)],
  ['abandon-rate', '放弃率', (x) => (x.abandonRate === undefined ? '—' : percent(x.abandonRate))],
  ['rona', '未接听 (RONA)', (x) => x.rona],
];

let shown = 'today';

function table(id, first, rows, label) {
  return el(
    'table',
    { class: 'grid compact', id },
    el('thead', {}, el('tr', {}, el('th', {}, first), ...COLUMNS.map(([, l]) => el('th', { class: 'num' }, l)))),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el(
          'tr',
          { dataset: { key: String(r.key) } },
          el('td', {}, label(r)),
          ...COLUMNS.map(([k, , get]) => el('td', { class: 'num', dataset: { metric: k } }, get(r))),
        ),
      ),
    ),
  );
}

export function renderDays(box, f, names) {
  const days = f.days;
  if (!days) return;
  const day = days[shown];
  const tab = (key, label) =>
    el(
      'button',
      {
        type: 'button',
        id: `days-${key}`,
        class: `tab ${shown === key ? 'active' : ''}`,
        'aria-pressed': String(shown === key),
        onclick: () => {
          shown = key;
          renderDays(box, f, names);
        },
      },
      label,
    );
  const hours = day.hours.filter((h) => h.offered > 0 || h.rona > 0).map((h) => ({ ...h, key: h.hour }));
  const agents = day.agents.map((a) => ({ ...a, key: a.agentId, abandonRate: undefined }));
  box.replaceChildren(
    el('div', { class: 'row' }, tab('today', '今日'), tab('yesterday', '昨日')),
    el(
      'div',
      { class: 'days-grid' },
      el(
        'div',
        {},
        el('h3', {}, '按小时'),
        hours.length
          ? table('hours-table', '时段', hours, (h) => `${String(h.hour).padStart(2, '0')}:00`)
          : el('p', { class: 'muted', id: 'no-hours' }, '无来电'),
      ),
      el(
        'div',
        {},
        el('h3', {}, '按坐席'),
        agents.length
          ? table('agents-figures-table', '坐席', agents, (a) => a.displayName ?? names.get(a.agentId) ?? a.agentId)
          : el('p', { class: 'muted', id: 'no-agent-figures' }, '无坐席数据'),
      ),
    ),
    el(
      'p',
      { class: 'muted small' },
      '接通率 = 接通数 ÷ 呼入数；ASA = 接通来电等待时长的平均；AHT = 接通后到通话结束的平均时长；放弃率 = 放弃数 ÷ 呼入数（不归属到坐席）；RONA = 振铃未接次数。',
    ),
  );
}
