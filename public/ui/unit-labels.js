// Chinese labels of the unit inbox (/ui/unit) and the order detail page (/ui/order): the server's refusal
// codes, order types, audit-trail actions, deadline kinds and supervision levels, and the clock colours.
// Every message these pages show comes from here or from common.js; the server's English text never shows.

/** Every code the work-order routes these pages call can answer (docs/work-orders.md). */
export const ERROR_MESSAGES = {
  // Who may see the order (art. 22).
  'order-not-found': '工单不存在（编号有误或已被删除）',
  'not-your-unit': '该工单未派给本单位，无权查看或办理',
  'call-not-yours': '这通电话不是您接听的，不能据此登记工单',
  'unknown-area': '所属区域不存在，请从区域列表中选择',
  confidential: '该工单为保密工单，当前账号无权查看',
  'no-unit': '当前账号未归属任何承办单位，请联系管理员',
  'role-cannot-act': '当前角色不能办理工单',
  'permission-denied': '当前账号无权执行此操作',
  // The state machine (art. 18–27).
  'invalid-state': '工单当前状态不允许此操作，请刷新后重试',
  'invalid-input': '填写的内容不符合要求',
  'not-lead-unit': '只有主办单位可以执行此操作',
  'not-assisting-unit': '只有协办单位可以提交协办意见',
  'return-window-passed': '已超过退单时限（签收后 1 个工作日，紧急工单 30 分钟），不能退单',
  'deadline-passed': '办理时限已过，不能再申请延期',
  'extension-too-long': '延期总长不能超过原办理时限',
  'extension-pending': '已有延期申请在审批中，请等待审批结果',
  'no-extension-pending': '没有待审批的延期申请',
  'not-overdue': '工单尚未超期，无需说明超期原因',
  'no-deadline': '该工单没有办理时限（如表扬类），无需延期',
  'forward-not-allowed': '不能转派：只有签收了工单的县级工作站可以转派给其下属单位',
  'unit-not-found': '所选单位不存在',
  'unit-inactive': '所选单位已停用',
  'unit-conflict': '主办单位与协办单位不能相同',
  'concurrent-change': '工单刚被他人修改，请刷新后重试',
  'already-exists': '该记录已存在，不能重复提交',
  'satisfaction-already-recorded': '满意度已记录',
  'satisfaction-window-open': '满意度回访尚未结束',
  'merge-into-self': '不能把工单合并到它自己',
  'no-order': '工单不存在',
  'actor-not-allowed': '当前账号不能执行此操作',
  'task-not-open': '该待办事项不存在或已完成',
  // Intake (shown on the order page when a link names an order made from a call).
  'call-not-found': '找不到对应的通话记录',
  'call-id-not-phone': '只有电话受理的工单才能关联通话',
  'invalid-phone': '电话号码格式有误',
  // Attachments (art. 26(4)).
  'unsupported-attachment':
    '附件格式不支持：请上传图片（JPEG、PNG、WebP、GIF）、视频（MP4、MOV、WebM）或音频（MP3、WAV）',
  'attachment-too-large': '附件过大（上限 20 MB）',
  'empty-attachment': '附件是空文件',
  'attachment-not-found': '附件不存在或不属于该工单',
  // Generic answers of the HTTP layer.
  'invalid-request': '提交的内容格式有误',
  'fst-err-validation': '提交的内容格式有误',
  'route-not-found': '服务器不支持此操作（版本不一致？）',
  'body-too-large': '提交的内容过大',
  'rate-limited': '操作过于频繁，请稍后再试',
  'token-missing': '登录已过期，请重新登录',
  'token-invalid': '登录已过期，请重新登录',
  'token-expired': '登录已过期，请重新登录',
  'token-revoked': '账号已被停用或修改，请重新登录',
  'bad-order-id': '地址中的工单编号无效',
  'recording-not-found': '录音不存在',
  'not-archived': '录音尚未归档，暂不能播放',
  'file-missing': '录音文件缺失，请联系系统管理员',
  'checksum-mismatch': '录音文件校验不符（可能已被篡改），已拒绝播放',
};

/** A refusal or failure as Chinese text, by code, then by HTTP status. */
export function errorText(err) {
  const byCode = err?.code ? ERROR_MESSAGES[err.code] : undefined;
  if (byCode) return byCode;
  switch (err?.status) {
    case 400:
      return '提交的内容格式有误';
    case 401:
      return '登录已过期，请重新登录';
    case 403:
      return ERROR_MESSAGES['permission-denied'];
    case 404:
      return '要查看的内容不存在';
    case 409:
      return ERROR_MESSAGES['invalid-state'];
    case 413:
      return ERROR_MESSAGES['body-too-large'];
    case 429:
      return ERROR_MESSAGES['rate-limited'];
    default:
      return err?.status >= 500 ? '服务器出错，请稍后再试' : '无法连接服务器，请检查网络';
  }
}

export const TYPE_LABELS = {
  consultation: '咨询',
  help: '求助',
  suggestion: '建议',
  complaint: '投诉',
  report: '举报',
  praise: '表扬',
};

export const CHANNEL_LABELS = {
  phone: '电话',
  website: '网站',
  wechat: '微信',
  'mobile-app': '手机应用',
  'chairman-mailbox': '主席信箱',
  'government-service-platform': '政务服务平台',
  'gov-cn': '国务院客户端',
};

/** The supervision ladder (art. 27): level 1–3 as `supervisionLevel` counts it, and by name. */
export const LEVELS = [
  null,
  { key: 'sms-warning', text: '短信预警', cls: 'sup-1' },
  { key: 'yellow-card', text: '黄牌督办', cls: 'sup-2' },
  { key: 'red-card', text: '红牌督办', cls: 'sup-3' },
];
export const levelByKey = (key) => LEVELS.find((l) => l?.key === key) ?? null;

export const DEADLINE_LABELS = {
  dispatch: '派单时限',
  sign: '签收时限',
  return: '退单时限',
  completion: '办结时限',
  satisfaction: '回访时限',
};

export const UNIT_ROLE_LABELS = { lead: '主办', assist: '协办', assisting: '协办', forwarded: '已转派' };

export const ROLE_LABELS = {
  agent: '话务员',
  supervisor: '班长',
  auditor: '审计员',
  unit_handler: '承办单位',
  admin: '管理员',
  system: '系统',
  requester: '诉求人',
};

export const ACTION_LABELS = {
  intake: '登记受理',
  'not-accept': '不予受理',
  'answer-directly': '直接答复',
  dispatch: '派单',
  'raise-dispute': '提出管辖争议',
  'resolve-dispute': '争议协调派单',
  sign: '签收',
  return: '退单',
  forward: '转派',
  'request-extension': '申请延期',
  'approve-extension': '批准延期',
  'refuse-extension': '驳回延期',
  'assist-opinion': '提交协办意见',
  'explain-overdue': '说明超期原因',
  reply: '答复',
  'reject-reply': '退回答复',
  close: '办结',
  'record-satisfaction': '记录满意度',
  'satisfaction-timeout': '回访超时（默认满意）',
  'conclude-review': '复核结论',
  'merge-into': '合并到其他工单',
  absorb: '并入重复诉求',
  attach: '上传附件',
  'supervision:sms-warning': '短信预警',
  'supervision:yellow-card': '黄牌督办',
  'supervision:red-card': '红牌督办',
  'link-call': '关联通话',
};
export const actionLabel = (a) => ACTION_LABELS[a] ?? `其他操作（${a}）`;

/** "还剩 1 小时 5 分" / "已超时 3 分 10 秒" for a deadline, seen at `now`. */
export function remainingText(dueAt, now) {
  const left = dueAt - now;
  const abs = Math.abs(left);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = Math.floor((abs % 60_000) / 1000);
  const span = d > 0 ? `${d} 天 ${h} 小时` : h > 0 ? `${h} 小时 ${m} 分` : `${m} 分 ${s} 秒`;
  return left >= 0 ? `还剩 ${span}` : `已超时 ${span}`;
}

/**
 * The colour of a clock: `overdue` (red) once passed, `near` (amber) in the last quarter of its span
 * (the SMS warning's point, art. 27), else `ok`. `startAt` is when the clock started (null: unknown).
 */
export function clockState(dueAt, now, startAt) {
  if (now >= dueAt) return 'overdue';
  const span = startAt === null || startAt === undefined ? null : dueAt - startAt;
  if (span !== null && span > 0 && dueAt - now <= span / 4) return 'near';
  return 'ok';
}
