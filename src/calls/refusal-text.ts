/** The Chinese text a desktop shows for a refused command, by reason code (docs/calls.md). */
export const REFUSAL_ZH: Readonly<Record<string, string>> = {
  'no-call': '当前没有进行中的通话',
  conflict: '当前通话状态不允许此操作',
  'consult-not-answered': '咨询方尚未接听，暂不能完成转接',
  'agent-not-signed-in': '目标坐席未签入',
  'agent-not-ready': '目标坐席未就绪',
  'desk-unstaffed': '该坐席组当前无人签入，不能转入',
  'bad-request': '请求内容有误',
  'invalid-input': '请求内容有误',
  'invalid-transition': '当前状态不允许此操作',
  'unknown-agent': '坐席不存在',
  'unknown-call': '通话不存在',
  'extension-in-use': '该分机已被其他坐席签入',
  'invalid-extension': '分机号格式不正确',
  'call-not-found': '通话不存在',
  'work-order-not-found': '工单不存在',
  confidential: '该工单为保密工单，无权查看',
  'not-your-unit': '该工单不属于本单位，无权查看',
  'wrap-up-code-required': '请先选择话后处理代码，再置为就绪',
  'unknown-wrap-up-code': '话后处理代码不存在',
  'wrap-up-limit': '话后处理时间已达上限，不能再延长',
  'not-in-wrap-up': '当前不在话后处理状态',
  'no-leader-on-duty': '当前没有已签入的值班领导，不能转给领导',
  'not-waiting': '该来电已不在排队等待',
  forbidden: '当前账号无权执行此操作',
  'reason-required': '请填写操作原因',
  'audit-failed': '操作已执行，但审计日志写入失败，请联系管理员',
  'no-monitor': '当前没有进行中的监听',
};

export function refusalZh(code: string): string {
  return REFUSAL_ZH[code] ?? '操作被拒绝';
}
