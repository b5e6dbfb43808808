// Parts of the agent desk's call panel: the caller's history in Chinese with a read-only order view
// (issue 9 item 3), and the transfer controls (blind, to an agent or desk, attended; item 4).
import { api, dateTime, el, orderStatusLabel, skillLabel } from '/ui/assets/common.js';
import { refusalText } from '/ui/assets/messages-zh.js';
import { NOT_ACCEPTED_ZH, ORDER_TYPES } from '/ui/assets/agent-order-form.js';

/** Why an offer went away (call-update `withdrawn`, detail from the server). */
export const WITHDRAWN_ZH = {
  'caller-hung-up': '来电人已挂机',
  'no-answer': '振铃超时未接听，已转给其他坐席（您已被置为暂停）',
  unreachable: '话机无法接通，已转给其他坐席（您已被置为暂停）',
  cancelled: '发起方已取消转接，或已由其他坐席接听',
};

/** The history table: category name, first line, status, date, the unit handling it; open orders first. */
export function historyTable(history) {
  if (!history?.length) return el('p', { id: 'history', class: 'muted' }, '无历史工单');
  const rows = history.map((o) => {
    const row = el(
      'tr',
      {
        class: `clickable ${o.open ? 'open' : ''}`,
        dataset: { number: o.number, open: String(o.open) },
        title: '点击查看工单（只读）',
      },
      el('td', { class: 'mono' }, o.number),
      el('td', { class: 'history-category' }, o.categoryName ?? o.category ?? '—'),
      el('td', { class: 'history-summary' }, o.summary || '—'),
      el(
        'td',
        {},
        o.open
          ? el('span', { class: 'badge open-badge' }, `未办结 · ${orderStatusLabel(o.status)}`)
          : orderStatusLabel(o.status),
      ),
      el('td', {}, dateTime(o.createdAt)),
      el('td', { class: 'history-unit' }, o.unitName ?? '—'),
    );
    row.addEventListener('click', () => openOrderView(o.number));
    return row;
  });
  return el(
    'table',
    { id: 'history', class: 'grid' },
    el(
      'thead',
      {},
      el('tr', {}, ...['工单号', '诉求分类', '诉求内容', '状态', '登记时间', '承办单位'].map((h) => el('th', {}, h))),
    ),
    el('tbody', {}, ...rows),
  );
}

const typeZh = (t) => ORDER_TYPES.find(([v]) => v === t)?.[1] ?? t;

/** One order, read-only, in a dialog over the desk. */
export async function openOrderView(id) {
  document.querySelector('#order-view')?.remove();
  const body = el('div', { class: 'order-view-body' }, el('p', { class: 'muted' }, '加载中…'));
  const close = el('button', { type: 'button', id: 'order-view-close' }, '关闭');
  const dialog = el(
    'dialog',
    { id: 'order-view', class: 'order-view' },
    el('h2', {}, `工单 ${id}（只读）`),
    body,
    close,
  );
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  try {
    const o = await api('GET', `/work-orders/${encodeURIComponent(id)}`);
    const unit = o.assignments?.at(-1)?.leadUnitId;
    const facts = [
      ['状态', orderStatusLabel(o.status)],
      ['诉求类型', typeZh(o.type)],
      ['诉求分类', o.category?.code ?? '—'],
      ['登记时间', dateTime(o.receivedAt)],
      ['诉求人', [o.requester?.name, o.requester?.phone].filter(Boolean).join(' ') || '—'],
      ['地点', o.location ?? '—'],
      ['主办单位', unit ?? '—'],
      ['紧急 / 保密', `${o.emergency ? '紧急' : '一般'} / ${o.confidential ? '保密' : '否'}`],
    ];
    if (o.directAnswer) facts.push(['直接答复', o.directAnswer.answer]);
    if (o.notAccepted)
      facts.push(['不予受理', NOT_ACCEPTED_ZH.find(([c]) => c === o.notAccepted.reason)?.[1] ?? o.notAccepted.reason]);
    body.replaceChildren(
      el('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
      el('h3', {}, '诉求内容'),
      el('p', { id: 'order-view-content', class: 'pre' }, o.content),
    );
  } catch (err) {
    body.replaceChildren(el('p', { class: 'error' }, `无法查看：${refusalText(err)}`));
  }
}

/**
 * Transfer controls for a connected call: blind transfer / three-way to a number, transfer to a colleague or
 * a desk, and attended transfer (consult, then complete or cancel). `run(event, payload)` sends the command.
 */
export function transferControls(state, skills, run) {
  const consulting = state === 'consulting' || state === 'consult-connected';
  if (consulting) {
    const complete = el(
      'button',
      {
        type: 'button',
        id: 'consult-complete',
        class: 'primary',
        disabled: state !== 'consult-connected' || undefined,
      },
      '完成转接',
    );
    complete.addEventListener('click', () => run('consult-complete'));
    const cancel = el('button', { type: 'button', id: 'consult-cancel' }, '取消转接，回到来电人');
    cancel.addEventListener('click', () => run('consult-cancel'));
    return el(
      'div',
      { class: 'row transfer', id: 'transfer-controls' },
      el('span', { class: 'muted' }, state === 'consult-connected' ? '咨询方已接通：' : '正在呼叫咨询方：'),
      complete,
      cancel,
    );
  }
  const number = el('input', { id: 'transfer-number', placeholder: '号码，如 110', inputmode: 'numeric', size: 10 });
  const agent = el('input', { id: 'transfer-agent', placeholder: '坐席账号', size: 10 });
  const desk = el('select', { id: 'transfer-desk' }, ...skills.map((s) => el('option', { value: s }, skillLabel(s))));
  const btn = (id, label, event, payload) => {
    const b = el('button', { type: 'button', id }, label);
    b.addEventListener('click', () => run(event, payload()));
    return b;
  };
  return el(
    'div',
    { id: 'transfer-controls', class: 'transfer' },
    el(
      'div',
      { class: 'row' },
      number,
      btn('transfer', '转接', 'transfer', () => ({ number: number.value.trim() })),
      btn('conference', '三方通话', 'conference', () => ({ number: number.value.trim() })),
      btn('consult-number', '咨询转接', 'consult', () => ({ number: number.value.trim() })),
    ),
    el(
      'div',
      { class: 'row' },
      agent,
      btn('transfer-to-agent', '转给坐席', 'transfer-to-agent', () => ({ agentId: agent.value.trim() })),
      btn('consult-agent', '咨询坐席', 'consult', () => ({ agentId: agent.value.trim() })),
      desk,
      btn('transfer-to-desk', '转到服务台', 'transfer-to-desk', () => ({ skill: desk.value })),
    ),
  );
}
