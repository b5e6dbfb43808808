// The one table of Chinese messages for the server's error codes and alert kinds, shared by every page
// (agent desk, wallboard, unit inbox, order page, auditor console). Plain ES module, no build step:
//   import { errorZh, alertKindZh } from '/ui/assets/messages-zh.js';
// test/ui/messages-zh.test.ts reads the codes the server can answer with from src/ and fails when one has
// no entry here: add the Chinese text in the same change as the new code.

/** Server error code (`code` of an HTTP error body, `error.code` / `error.reason` of a socket.io ack) → Chinese. */
export const ERROR_ZH = Object.freeze({
  // Sign-in, tokens, permissions
  'account-disabled': '账号已停用',
  'authentication-failed': '身份验证失败，请重新登录',
  'bad-authorization-header': '登录凭证格式错误，请重新登录',
  'bad-credentials': '用户名或密码错误',
  'bad-current-password': '当前密码不正确',
  'token-malformed': '登录凭证无效，请重新登录',
  'token-missing': '尚未登录，请先登录',
  'token-revoked': '登录已失效（账号被修改或停用），请重新登录',
  unauthenticated: '尚未登录，请先登录',
  'too-many-attempts': '登录失败次数过多，请稍后再试',
  'permission-denied': '当前账号的角色无权进行此操作',
  'no-permission-declared': '此功能未开放',
  'namespace-closed': '此实时通道未开放',
  'weak-password': '密码强度不足（长度不够）',
  'username-taken': '用户名已被占用',
  'user-not-found': '用户不存在',
  'last-admin': '不能停用或降级最后一个管理员',
  'self-disable': '不能停用自己的账号',
  'unit-required': '必须指定所属单位',
  'unit-not-allowed': '只有承办单位人员的账号可以指定单位',
  // Requests in general
  'invalid-request': '请求内容有误，请检查填写的内容',
  'invalid-input': '填写的内容有误',
  'bad-request': '请求内容有误',
  bad_request: '请求内容有误',
  'malformed-json': '请求格式错误（不是有效的 JSON）',
  'body-too-large': '提交的内容过大',
  'unsupported-media-type': '不支持的内容类型',
  'route-not-found': '请求的地址不存在',
  'not-found': '记录不存在',
  not_found: '记录不存在',
  'already-done': '该记录已处理过',
  already_done: '该记录已处理过',
  internal: '服务器内部错误，请稍后重试',
  'internal-error': '服务器内部错误，请稍后重试',
  'invalid-date': '日期格式不正确',
  'invalid-period': '时间范围不正确',
  'invalid-cursor': '翻页参数无效，请重新查询',
  'invalid-base64': '附件内容编码不正确',
  // Calls and the agent desk
  'no-call': '当前没有进行中的通话',
  no_call: '当前没有进行中的通话',
  conflict: '当前通话状态不允许此操作',
  'invalid-transition': '当前状态不允许此操作',
  'consult-not-answered': '咨询方尚未接听，暂不能完成转接',
  'agent-not-signed-in': '目标坐席未签入',
  'agent-not-ready': '目标坐席未就绪',
  'desk-unstaffed': '该服务台当前无人签入，不能转入',
  'unknown-agent': '坐席不存在或未签入',
  'unknown-call': '通话不存在',
  'extension-in-use': '该分机已被其他坐席签入',
  'invalid-extension': '分机号格式不正确',
  'call-not-found': '通话不存在',
  'call-not-yours': '这通电话不是您接听的，不能据此登记工单',
  'call-id-required': '电话渠道的工单必须关联来电',
  'call-id-not-phone': '只有电话渠道的工单可以关联来电',
  'wrap-up-code-required': '请先选择话后处理代码，再置为就绪',
  'unknown-wrap-up-code': '话后处理代码不存在',
  'wrap-up-limit': '话后处理时间已达上限，不能再延长',
  'not-in-wrap-up': '当前不在话后处理状态',
  // Work orders
  'order-not-found': '工单不存在',
  'work-order-not-found': '工单不存在',
  confidential: '该工单为保密工单，无权查看',
  'not-your-unit': '该工单不属于本单位，无权查看',
  'unknown-category': '诉求分类不存在，请从分类列表中选择',
  'unknown-area': '所属区域不存在，请从区域列表中选择',
  'invalid-phone': '电话号码应为 3 到 20 位数字',
  'no-public-intake': '该单位（县区工作站）不直接受理群众诉求，请在市级或自治区平台受理',
  'concurrent-change': '工单已被他人修改，请刷新后重试',
  'invalid-state': '工单当前状态不允许此操作',
  'no-order': '工单尚未建立',
  'already-exists': '工单已存在',
  'actor-not-allowed': '您的角色不能对该工单进行此操作',
  'role-cannot-act': '您的角色不能办理工单',
  'no-unit': '您的账号未关联承办单位',
  'unit-conflict': '主办单位与协办单位重复',
  'not-lead-unit': '只有主办单位可以进行此操作',
  'not-assisting-unit': '只有协办单位可以提交协办意见',
  'unit-cannot-handle': '该单位不能承办工单',
  'unit-inactive': '该单位已停用',
  'unit-not-found': '单位不存在',
  'unknown-unit': '单位不存在',
  'unit-exists': '单位编号已存在',
  'parent-not-found': '上级单位不存在',
  'parent-required': '必须指定上级单位',
  'parent-kind-not-allowed': '上级单位的类型不符合层级要求',
  'hierarchy-cycle': '单位层级不能形成循环',
  'forward-not-allowed': '不能转交给该单位（仅县区工作站可向下转交）',
  'merge-into-self': '工单不能合并到自身',
  'return-window-passed': '已超过退单时限（1 个工作日）',
  'deadline-passed': '已超过办理时限，不能再申请延期',
  'extension-pending': '已有延期申请在审核中',
  'no-extension-pending': '没有待审核的延期申请',
  'extension-too-long': '申请的延期时间过长',
  'no-deadline': '该工单没有可延长的办理时限',
  'not-overdue': '工单未超期，无需说明',
  'satisfaction-already-recorded': '满意度已记录',
  'satisfaction-window-open': '满意度回访期未结束',
  'task-not-open': '该任务已完成或已取消',
  'attachment-not-found': '附件不存在',
  'attachment-too-large': '附件过大',
  'empty-attachment': '附件内容为空',
  'unsupported-attachment': '不支持的附件类型（仅限图片、视频、PDF）',
  // Knowledge base
  'entry-not-found': '知识条目不存在',
  'question-not-found': '知识问题不存在',
  'already-answered': '该问题已有答复',
  'empty-query': '请输入搜索内容',
  'not-owner': '只有所属单位可以修改',
  'owner-fixed': '知识条目的所属单位不能更改',
  'invalid-validity': '有效期的结束日期早于开始日期',
  // Calendar and assessment
  'invalid-calendar': '工作日历数据有误',
  'empty-calendar': '全年没有节假日，数据不合理',
  'calendar-year-exists': '该年份的工作日历已存在',
  'cycle-not-started': '考核周期尚未开始',
  'appeal-not-found': '申诉不存在',
  'appeal-decided': '申诉已有结论',
  'appeal-window-closed': '已超过申诉期限',
  // Recordings and the auditor console
  'recording-not-found': '录音不存在',
  'not-archived': '录音尚未归档',
  'file-missing': '录音文件丢失',
  'file-tampered': '录音文件校验不符，已拒绝下载',
  'checksum-mismatch': '校验值不符',
  'already-held': '该录音已在保全中',
  'not-held': '该录音未被保全',
  'not-signed': '尚未签收',
  'invalid-range': '请求的播放范围无效',
  'range-not-satisfiable': '请求的播放范围超出文件长度',
  'invalid-duration-range': '通话时长范围不正确',
  'number-and-last4': '号码和尾号只能填一项',
  'filter-unavailable': '该筛选条件暂不可用',
  'invalid-ticket': '播放凭证无效或已过期',
  // Assessment publication, reports (issue 13)
  'already-published': '该月考核结果已发布，不能重复发布',
  'not-published': '该月考核结果尚未发布',
  'month-not-over': '该月尚未结束，不能发布考核结果',
  'invalid-month': '月份格式错误，应为 YYYY-MM',
  'invalid-item': '考核项目不存在',
  'invalid-weights': '各考核项目权重之和须为 100 分',
  'points-out-of-range': '分值超出该项目的权重范围',
  'period-required': '请选择统计日期或月份',
  // Citizen intake and the regional exchange (issue 13)
  'bad-signature': '请求签名无效',
  'challenge-failed': '防机器人校验未通过，请刷新页面后重试',
  'too-many-attachments': '附件数量超过上限',
  'webhook-not-configured': '该接口尚未配置，暂不可用',
  'regional-id-in-progress': '该转办单正由另一台服务器受理，请稍后重新投递',
  // Leader rota, wallboard, monitoring, callbacks (issue 10)
  'bad-date': '日期格式错误，应为 YYYY-MM-DD',
  'bad-time': '时间格式错误，应为 HH:MM',
  'rota-overlap': '该领导在这一时段已有值班安排',
  'unknown-skill': '坐席技能组不存在',
  'unknown-user': '用户不存在',
  'cannot-take-calls': '该账号不能接听电话，不能排入值班',
  'no-leader-on-duty': '当前没有已签入的值班领导，不能转给领导',
  'not-waiting': '该来电已不在排队等待',
  'no-monitor': '当前没有进行中的监听',
  taken: '该回电已由其他坐席处理中',
  'not-yours': '该回电正由其他坐席拨打，只有该坐席或班长可以登记结果',
  not_yours: '该回电正由其他坐席拨打，只有该坐席或班长可以登记结果',
  'quiet-hours': '现在是免打扰时段（22:00–08:00），请在允许时段再回电',
  'too-early': '距上次回电时间太短，请按回电计划稍后再拨',
  // Several instances and metrics (issue 12)
  'no-owner': '话务控制正在切换，请稍后重试',
  'metrics-token': '访问监控指标需要正确的令牌',
  'metrics-loopback-only': '监控指标仅允许本机访问；如需远程采集请设置 METRICS_TOKEN',
});

/** Alert kind (wallboard, unit inbox) → Chinese. */
export const ALERT_KIND_ZH = Object.freeze({
  'answer-prewarning': '接通预警',
  'answer-breach': '20 秒未接通（超时）',
  'ring-no-answer': '坐席未接听（振铃超时）',
  rona: '坐席未接听（RONA）',
  'recording-tampered': '录音校验不符（可能被篡改）',
  'recording-lost': '通话录音丢失（PBX 上找不到，重连后会再查找）',
  'provisional-deadline': '临时办理时限待确认',
  'order-returned': '工单被退回',
  'unread-satisfaction-reply': '满意度回复待查看',
  'repeat-of-closed-order': '已办结工单的重复诉求',
  'dispute-raised': '单位对职责有争议',
  'late-sign': '逾期未签收',
  'late-reply': '逾期未答复',
  'extension-requested': '申请延期',
  'rota-unstaffed': '值班领导未签入',
});

/** Chinese for an error code; unknown codes get a generic text (the test keeps that from happening). */
export function errorZh(code) {
  return (code && ERROR_ZH[code]) || '操作未成功';
}

/**
 * The text a page shows for a refusal: an ApiError / fetch error, a socket.io ack error `{ code, reason }`,
 * or a code. The call commands carry their precise code in `reason`.
 */
export function refusalText(err) {
  if (typeof err === 'string') return errorZh(err);
  const code = (err?.reason && ERROR_ZH[err.reason] ? err.reason : err?.code) ?? '';
  if (ERROR_ZH[code]) return ERROR_ZH[code];
  return err?.statusCode === 0 || err?.status === 0 ? '服务器无应答，请检查网络' : errorZh(code);
}

export function alertKindZh(kind) {
  return ALERT_KIND_ZH[kind] ?? `告警（${kind}）`;
}
