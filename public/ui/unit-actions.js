// The actions a handling unit takes on one order (docs/work-orders.md, art. 8, 18, 26, 27): which forms
// show depends on the order's status and on whether this unit leads or assists. The server's state
// machine decides in the end; its refusals come back as Chinese text (unit-labels.js).
import { api, el } from '/ui/assets/common.js';
import { errorText } from '/ui/assets/unit-labels.js';

const HOUR = 3_600_000;
const MAX_FILE = 20 * 1024 * 1024;

/**
 * @param order the full order (GET /work-orders/:id)
 * @param ctx { unitId, units: Map<id, unit>, run(doneText, fn) }
 */
export function actionForms(order, ctx) {
  const a = order.assignments.at(-1);
  if (!a) return el('p', { class: 'muted' }, '该工单尚未派单。');
  const lead = a.leadUnitId === ctx.unitId;
  const assisting = a.assistingUnitIds.includes(ctx.unitId);
  const path = (p) => `/work-orders/${order.id}/${p}`;
  const forms = [];

  if (lead && order.status === 'dispatched') {
    forms.push(
      el(
        'div',
        { class: 'row' },
        el(
          'button',
          {
            type: 'button',
            class: 'primary',
            id: 'act-sign',
            onclick: () => ctx.run('已签收', () => api('POST', path('sign'), {})),
          },
          '签收',
        ),
      ),
    );
  }
  if (lead && (order.status === 'dispatched' || order.status === 'signed')) {
    forms.push(
      form(
        'return',
        '退单（签收后 1 个工作日内，紧急工单 30 分钟内）',
        [textArea('return-reason', '退单理由')],
        '退单',
        () => ctx.run('已退单，热线将重新派单', () => api('POST', path('return'), { reason: value('return-reason') })),
      ),
    );
  }
  if (lead && order.status === 'signed') {
    const overdue = a.completionDue !== null && Date.now() > a.completionDue.at;
    forms.push(replyForm(path, ctx));
    if (a.completionDue !== null && !overdue) forms.push(extensionForm(order, path, ctx));
    if (overdue)
      forms.push(
        form('overdue', '说明超期原因（第 27 条）', [textArea('overdue-reason', '超期原因')], '提交说明', () =>
          ctx.run('超期原因已提交', () =>
            api('POST', path('overdue-explanation'), { reason: value('overdue-reason') }),
          ),
        ),
      );
    const below = [...ctx.units.values()].filter((u) => u.parentId === ctx.unitId && u.active !== false);
    if (ctx.units.get(ctx.unitId)?.kind === 'county_workstation' && below.length > 0)
      forms.push(
        form(
          'forward',
          '转派给下属单位（县级工作站）',
          [
            el(
              'label',
              {},
              '接收单位',
              el(
                'select',
                { id: 'forward-unit' },
                below.map((u) => el('option', { value: u.id }, u.name)),
              ),
            ),
            textArea('forward-reason', '转派说明'),
          ],
          '转派',
          () =>
            ctx.run('已转派', () =>
              api('POST', path('forward'), { unitId: value('forward-unit'), reason: value('forward-reason') }),
            ),
        ),
      );
  }
  if (assisting && !lead && ['dispatched', 'signed'].includes(order.status)) {
    forms.push(
      form('opinion', '协办意见（转交主办单位）', [textArea('opinion-text', '意见')], '提交意见', () =>
        ctx.run('协办意见已提交', () => api('POST', path('opinions'), { opinion: value('opinion-text') })),
      ),
    );
  }
  if (forms.length === 0) return el('p', { class: 'muted', id: 'no-actions' }, '当前状态下本单位无需操作。');
  return el('div', { class: 'actions' }, forms);
}

function extensionForm(order, path, ctx) {
  // Emergency orders count in clock time (the server wants ms); the others in working days (art. 26(2)).
  const unit = order.emergency ? '小时' : '个工作日';
  return form(
    'extension',
    '申请延期（须在时限前申请，累计不超过原时限）',
    [
      el(
        'label',
        {},
        `延长（${unit}）`,
        el('input', { id: 'ext-extra', type: 'number', min: '1', step: '1', value: '1' }),
      ),
      textArea('ext-reason', '延期理由'),
    ],
    '申请延期',
    () => {
      const n = Number(value('ext-extra'));
      if (!Number.isInteger(n) || n < 1) throw Object.assign(new Error('bad'), { code: 'invalid-input' });
      const extra = order.emergency ? n * HOUR : n;
      return ctx.run('延期申请已提交，等待审批', () =>
        api('POST', path('extension'), { extra, reason: value('ext-reason') }),
      );
    },
  );
}

function replyForm(path, ctx) {
  const files = el('input', {
    id: 'reply-files',
    type: 'file',
    multiple: true,
    accept: 'image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime,video/webm,audio/mpeg,audio/wav',
  });
  return form(
    'reply',
    '答复（可附现场照片、视频，第 26 条）',
    [textArea('reply-content', '答复内容', 20_000), el('label', {}, '附件', files)],
    '提交答复',
    () =>
      ctx.run('答复已提交', async () => {
        const attachmentIds = [];
        for (const f of files.files) {
          if (f.size > MAX_FILE) throw Object.assign(new Error('too large'), { code: 'attachment-too-large' });
          const stored = await api('POST', path('attachments'), {
            fileName: f.name,
            mimeType: f.type || 'application/octet-stream',
            contentBase64: await base64(f),
          });
          attachmentIds.push(stored.id);
        }
        await api('POST', path('reply'), { content: value('reply-content'), attachmentIds });
      }),
  );
}

function form(name, title, fields, submit, onSubmit) {
  const f = el(
    'form',
    { class: 'action-form', id: `form-${name}` },
    el('h4', {}, title),
    fields,
    el('button', { type: 'submit', id: `act-${name}` }, submit),
  );
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = f.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await onSubmit();
    } catch (err) {
      // Checks made here before any request (a bad number, a file too large) use the same Chinese table.
      document.querySelector('#action-error').textContent = errorText(err);
    } finally {
      button.disabled = false;
    }
  });
  return f;
}

function textArea(id, label, max = 2000) {
  return el('label', {}, label, el('textarea', { id, rows: '2', maxlength: String(max), required: true }));
}

const value = (id) => document.getElementById(id).value.trim();

function base64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}
