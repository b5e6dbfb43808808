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
  'no-monitor': '当前没有进行中的监听',
  forbidden: '无权执行此操作',
};

export function refusalZh(code: string): string {
  return REFUSAL_ZH[code] ?? '操作被拒绝';
}
