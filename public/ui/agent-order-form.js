// The work-order form of the agent desk (issue 9 item 1): pre-filled from the call, with the category tree
// (searchable by Chinese name), the area tree, the four outcomes and the knowledge base beside it.
// The requester's number is never sent: the server takes it from the call (item 2).
import { $, api, command, dateTime, el } from '/ui/assets/common.js';
import { refusalText } from '/ui/assets/messages-zh.js';

export const ORDER_TYPES = [
  ['consultation', '咨询'],
  ['help', '求助'],
  ['suggestion', '建议'],
  ['complaint', '投诉'],
  ['report', '举报'],
  ['praise', '表扬'],
];

// Art. 21: the reasons a demand is not accepted.
export const NOT_ACCEPTED_ZH = [
  ['outside-jurisdiction', '不属于本行政区域管辖（第二十一条第一项）'],
  ['other-legal-procedure', '应通过诉讼、仲裁、行政复议、信息公开或信访途径解决（第二十一条第二项）'],
  ['outside-administrative-remit', '属党委、人大、政协、纪检监察、法院、检察院、军队、武警事项（第二十一条第二项）'],
  ['secret-or-privacy', '涉及国家秘密、商业秘密、个人隐私（第二十一条第三项）'],
  ['emergency-line-matter', '属 110、119、120、122 受理范围（第二十一条第三项）'],
  ['insult-or-public-order', '辱骂、诽谤或违背公序良俗（第二十一条第四项）'],
  ['repeat-of-closed-matter', '已依法办结、以同一事实和理由重复提出（第二十一条第四项）'],
  ['other-legal-exclusion', '法律法规规定的其他情形（第二十一条第五项）'],
];

const OUTCOMES = [
  ['dispatch', '派单'],
  ['answer', '直接答复'],
  ['not-accept', '不予受理'],
  ['merge', '合并到未办结工单'],
];

const DISPATCH_HOURS = 24;

/** Reference data loaded once per page: categories, areas, units. */
const refs = { categories: null, areas: null, units: null };

async function loadRefs() {
  const [categories, areas, units] = await Promise.all([
    refs.categories ?? api('GET', '/work-orders/categories'),
    refs.areas ?? api('GET', '/work-orders/areas'),
    refs.units ?? api('GET', '/organisation/units').catch(() => []),
  ]);
  Object.assign(refs, { categories, areas, units });
  return refs;
}

const option = (value, label, selected) => el('option', { value, selected: selected || undefined }, label);
const errorSlot = (field) => el('span', { class: 'field-error', id: `of-err-${field}`, role: 'alert' });
const field = (label, control, name) =>
  el('label', { class: 'field' }, el('span', {}, label), control, errorSlot(name));

/** The category's names from the root down, e.g. 环境保护 / 噪声扰民. */
function categoryPath(c, byCode) {
  const names = [c.name];
  for (let p = byCode.get(c.parentCode); p; p = byCode.get(p.parentCode)) names.unshift(p.name);
  return names.join(' / ');
}

/**
 * Renders the form for the current call into `container`. `ctx`: { pop, socket, onSaved(order, outcomeText) }.
 */
export async function renderOrderForm(container, ctx) {
  const { pop } = ctx;
  container.replaceChildren(el('p', { class: 'muted' }, '正在加载分类和区域…'));
  try {
    await loadRefs();
  } catch (err) {
    container.replaceChildren(el('p', { class: 'error' }, `加载失败：${refusalText(err)}`));
    return;
  }
  const byCode = new Map(refs.categories.map((c) => [c.code, c]));
  const type = el(
    'select',
    { id: 'of-type', name: 'type' },
    ...ORDER_TYPES.map(([v, l]) => option(v, l, v === 'complaint')),
  );
  const catSearch = el('input', {
    id: 'of-category-search',
    placeholder: '输入中文名称搜索分类，如 噪声',
    autocomplete: 'off',
  });
  const category = el('select', { id: 'of-category', name: 'category', size: 4 });
  const fillCategories = () => {
    const q = catSearch.value.trim();
    const list = refs.categories
      .map((c) => ({ c, path: categoryPath(c, byCode) }))
      .filter(({ path }) => q === '' || path.includes(q));
    const keep = category.value;
    category.replaceChildren(...list.map(({ c, path }) => option(c.code, path, c.code === keep)));
    if (list.length === 1) category.value = list[0].c.code;
  };
  catSearch.addEventListener('input', fillCategories);
  fillCategories();

  // Area: region → city → county/district; the most specific one picked is sent.
  const region = el('select', { id: 'of-area-region' });
  const city = el('select', { id: 'of-area-city' });
  const county = el('select', { id: 'of-area-county' });
  const fillLevel = (select, nodes, blank) =>
    select.replaceChildren(option('', blank), ...(nodes ?? []).map((n) => option(n.code, n.name)));
  const childrenOf = (nodes, code) => nodes?.find((n) => n.code === code)?.children ?? [];
  fillLevel(region, refs.areas, '（自治区/省）');
  fillLevel(city, [], '（市）');
  fillLevel(county, [], '（县/区）');
  region.addEventListener('change', () => {
    fillLevel(city, childrenOf(refs.areas, region.value), '（市）');
    fillLevel(county, [], '（县/区）');
  });
  city.addEventListener('change', () =>
    fillLevel(county, childrenOf(childrenOf(refs.areas, region.value), city.value), '（县/区）'),
  );
  if (refs.areas.length === 1) {
    region.value = refs.areas[0].code;
    region.dispatchEvent(new Event('change'));
  }

  const location = el('input', { id: 'of-location', name: 'location', placeholder: '街道、门牌、小区等' });
  const content = el('textarea', { id: 'of-content', name: 'content', rows: 4, placeholder: '诉求内容' });
  const name = el('input', { id: 'of-name', name: 'requesterName', placeholder: '如 陈先生' });
  const emergency = el('input', { type: 'checkbox', id: 'of-emergency' });
  const confidential = el('input', { type: 'checkbox', id: 'of-confidential' });

  // Outcomes.
  const outcome = el('select', { id: 'of-outcome' }, ...OUTCOMES.map(([v, l]) => option(v, l)));
  const handlers = refs.units.filter((u) => u.kind === 'handling_unit' || u.kind === 'county_workstation');
  const lead = el(
    'select',
    { id: 'of-lead' },
    option('', '（请选择主办单位）'),
    ...handlers.map((u) => option(u.id, u.name)),
  );
  const assist = el(
    'div',
    { id: 'of-assist', class: 'checks' },
    ...handlers.map((u) =>
      el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'assist', value: u.id }), u.name),
    ),
  );
  const dueText = () =>
    `派单时限：登记后 ${DISPATCH_HOURS} 小时内（约 ${dateTime(Date.now() + DISPATCH_HOURS * 3600_000)} 前）`;
  const due = el('p', { id: 'of-dispatch-due', class: 'muted small' }, dueText());
  const answer = el('textarea', { id: 'of-answer', rows: 3, placeholder: '答复内容（可引用左侧知识库）' });
  const reason = el('select', { id: 'of-reason' }, ...NOT_ACCEPTED_ZH.map(([v, l]) => option(v, l)));
  const note = el('input', { id: 'of-note', placeholder: '说明（可选）' });
  const mergeTarget = el('input', { id: 'of-merge-target', inputmode: 'numeric', value: pop.draft.repeatOf ?? '' });
  const sections = {
    dispatch: el(
      'div',
      { class: 'outcome', dataset: { outcome: 'dispatch' } },
      field('主办单位', lead, 'leadUnitId'),
      el('div', {}, el('span', { class: 'label' }, '协办单位'), assist),
      due,
    ),
    answer: el(
      'div',
      { class: 'outcome', dataset: { outcome: 'answer' } },
      field('答复内容', answer, 'answer'),
      el('p', { class: 'muted small' }, '保存后工单办结，并向来电人发送满意度回访短信。'),
    ),
    'not-accept': el(
      'div',
      { class: 'outcome', dataset: { outcome: 'not-accept' } },
      field('不予受理理由', reason, 'reasonCode'),
      field('说明', note, 'note'),
    ),
    merge: el(
      'div',
      { class: 'outcome', dataset: { outcome: 'merge' } },
      field('合并到工单号', mergeTarget, 'targetOrderId'),
      el(
        'p',
        { class: 'muted small' },
        pop.draft.repeatOf ? `系统建议：来电人有未办结工单 ${pop.draft.repeatOf}` : '来电人没有未办结工单',
      ),
    ),
  };
  const showOutcome = () => {
    for (const [k, s] of Object.entries(sections)) s.hidden = k !== outcome.value;
  };
  outcome.addEventListener('change', showOutcome);
  if (pop.draft.repeatOf) outcome.value = 'merge';
  showOutcome();

  const submit = el('button', { type: 'submit', id: 'of-submit', class: 'primary' }, '保存工单');
  const result = el('p', { id: 'of-result', class: 'muted', role: 'status' });
  const form = el(
    'form',
    { id: 'order-form', class: 'order-form', novalidate: true },
    el(
      'div',
      { class: 'form-grid' },
      field('诉求类型', type, 'type'),
      field('诉求人姓名', name, 'requesterName'),
      el(
        'label',
        { class: 'field' },
        el('span', {}, '诉求人电话'),
        el('input', {
          id: 'of-phone',
          value: pop.draft.requesterPhone,
          readonly: true,
          title: '由系统根据来电自动填写',
        }),
      ),
      el(
        'div',
        { class: 'field' },
        el('span', {}, '标记'),
        el('label', { class: 'check' }, emergency, '紧急'),
        el('label', { class: 'check' }, confidential, '保密'),
      ),
    ),
    el('div', { class: 'field' }, el('span', {}, '诉求分类'), catSearch, category, errorSlot('category')),
    el(
      'div',
      { class: 'field' },
      el('span', {}, '所属区域'),
      el('div', { class: 'row' }, region, city, county),
      errorSlot('area'),
    ),
    field('具体地点', location, 'location'),
    field('诉求内容', content, 'content'),
    field('处理方式', outcome, 'outcome'),
    ...Object.values(sections),
    el('div', { class: 'row' }, submit),
    result,
  );

  // A corrected field loses its error at once.
  const clearOwnError = (e) => {
    const slot = e.target.closest('.field')?.querySelector('.field-error');
    if (slot) slot.textContent = '';
  };
  form.addEventListener('input', clearOwnError);
  form.addEventListener('change', clearOwnError);
  const clearErrors = () => {
    for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  };
  const fieldError = (name, text) => {
    const slot = $(`#of-err-${name}`);
    if (slot) slot.textContent = text;
    else result.textContent = text;
    result.className = 'error';
  };
  // A server refusal names its field as `body.<field>`: the Chinese message goes next to that field.
  const showRefusal = (err) => {
    const m = /body\.([A-Za-z]+)/.exec(err?.message ?? '');
    const text = refusalText(err);
    if (m && $(`#of-err-${m[1]}`)) fieldError(m[1], text);
    result.textContent = `保存失败：${text}`;
    result.className = 'error';
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    result.textContent = '';
    const missing = [];
    if (!category.value) missing.push(['category', '请选择诉求分类']);
    if (!content.value.trim()) missing.push(['content', '请填写诉求内容']);
    if (outcome.value === 'dispatch' && !lead.value) missing.push(['leadUnitId', '请选择主办单位']);
    if (outcome.value === 'answer' && !answer.value.trim()) missing.push(['answer', '请填写答复内容']);
    if (outcome.value === 'merge' && !/^[1-9][0-9]*$/.test(mergeTarget.value.trim()))
      missing.push(['targetOrderId', '请填写要合并到的工单号']);
    if (missing.length) {
      for (const [f, t] of missing) fieldError(f, t);
      result.textContent = '请检查标红的项目';
      return;
    }
    submit.disabled = true;
    try {
      const area = county.value || city.value || region.value;
      const body = {
        channel: 'phone',
        callId: pop.callId,
        type: type.value,
        category: category.value,
        content: content.value.trim(),
        emergency: emergency.checked,
        confidential: confidential.checked,
        ...(area ? { area } : {}),
        ...(location.value.trim() ? { location: location.value.trim() } : {}),
        ...(name.value.trim() ? { requesterName: name.value.trim() } : {}),
      };
      const taken = await api('POST', '/work-orders', body);
      const id = taken.order.id;
      // Saving links the order to the call, and through it to the call's recording.
      await command(ctx.socket, 'link-work-order', { callId: pop.callId, workOrderId: String(id) });
      let text;
      if (taken.mergedInto) text = `工单 ${id} 已登记，并自动合并到未办结工单 ${taken.mergedInto}`;
      else if (outcome.value === 'dispatch') {
        const assisting = [...assist.querySelectorAll('input:checked')]
          .map((b) => b.value)
          .filter((u) => u !== lead.value);
        const o = await api('POST', `/work-orders/${id}/dispatch`, {
          leadUnitId: lead.value,
          assistingUnitIds: assisting,
        });
        text = `工单 ${id} 已派单（派单时限 ${dateTime(o.dispatchDue?.at)}）`;
      } else if (outcome.value === 'answer') {
        await api('POST', `/work-orders/${id}/answer-directly`, { answer: answer.value.trim() });
        text = `工单 ${id} 已直接答复并办结，满意度回访短信已发送`;
      } else if (outcome.value === 'not-accept') {
        await api('POST', `/work-orders/${id}/not-accept`, {
          reasonCode: reason.value,
          ...(note.value.trim() ? { note: note.value.trim() } : {}),
        });
        text = `工单 ${id} 已登记为不予受理`;
      } else {
        await api('POST', `/work-orders/${id}/merge`, { targetOrderId: Number(mergeTarget.value.trim()) });
        text = `工单 ${id} 已合并到工单 ${mergeTarget.value.trim()}`;
      }
      result.textContent = text;
      result.className = 'ok';
      result.dataset.orderId = String(id);
      for (const c of form.querySelectorAll('input, select, textarea, button')) c.disabled = true;
      ctx.onSaved?.(taken.order, text);
    } catch (err) {
      showRefusal(err);
      submit.disabled = false;
    }
  });

  const kb = knowledgePanel(answer, outcome, showOutcome);
  container.replaceChildren(el('div', { class: 'form-and-kb' }, form, kb));
}

/** The knowledge base beside the form: search, read, and copy an entry into the direct answer. */
function knowledgePanel(answer, outcome, showOutcome) {
  const q = el('input', { id: 'kb-query', placeholder: '搜索知识库，如 停水' });
  const go = el('button', { type: 'submit', id: 'kb-search' }, '搜索');
  const list = el('ol', { id: 'kb-results', class: 'kb-results' });
  const status = el('p', { id: 'kb-status', class: 'muted small' });
  const form = el('form', { class: 'row' }, q, go);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = q.value.trim();
    if (!text) return;
    status.textContent = '搜索中…';
    try {
      const hits = await api('GET', `/knowledge/search?q=${encodeURIComponent(text)}&limit=8`);
      status.textContent = hits.length ? `找到 ${hits.length} 条` : '没有找到相关条目';
      list.replaceChildren(
        ...hits.map((h) => {
          const use = el('button', { type: 'button', class: 'subtle kb-use' }, '引用答复');
          use.addEventListener('click', () => {
            outcome.value = 'answer';
            showOutcome();
            answer.value = answer.value ? `${answer.value}\n${h.body ?? h.content ?? ''}` : (h.body ?? h.content ?? '');
          });
          return el(
            'li',
            { class: 'kb-hit', dataset: { key: h.entryKey ?? h.key ?? '' } },
            el('b', {}, h.title ?? ''),
            el('p', { class: 'small' }, h.body ?? h.content ?? ''),
            use,
          );
        }),
      );
    } catch (err) {
      status.textContent = `搜索失败：${refusalText(err)}`;
    }
  });
  return el('aside', { id: 'kb-panel', class: 'kb' }, el('h3', {}, '知识库'), form, status, list);
}
