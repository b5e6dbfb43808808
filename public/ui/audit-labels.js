// Chinese labels of the auditor console (/ui/audit): server error codes, call outcomes, timeline steps
// and access-log actions. Every message the page shows comes from here or from common.js.

export const ERROR_MESSAGES = {
  'recording-not-found': '录音不存在',
  'call-not-found': '找不到该录音对应的通话记录',
  'not-archived': '录音尚未归档，暂不能播放或导出',
  'file-missing': '录音文件缺失，请联系系统管理员',
  'checksum-mismatch': '录音文件与登记的校验值不符（可能已被篡改），已拒绝播放或导出，请立即报告',
  'filter-unavailable': '“法律保全”筛选暂不可用（本版本尚未记录法律保全）',
  'invalid-range': '结束日期不能早于开始日期',
  'invalid-duration-range': '最长时长不能小于最短时长',
  'invalid-cursor': '分页位置已失效，请重新查询',
  'number-and-last4': '号码只能填写完整号码或后 4 位之一',
  'invalid-ticket': '播放凭证已失效，请重新点击“播放”',
  'range-not-satisfiable': '请求的音频位置超出文件范围',
  'permission-denied': '当前账号无权执行此操作',
  'route-not-found': '服务器不支持此操作（版本不一致？）',
  'fst-err-validation': '查询条件格式有误',
  'invalid-request': '请求内容格式有误',
  'already-held': '该录音已处于法律保全中，不能重复保全',
  'not-held': '该录音未处于法律保全，无需解除',
};

/** A refusal of 法律保全 / 解除保全 as Chinese text, naming the field the server refused (400). */
export function holdErrorText(err) {
  if (err?.status === 400 && err.code === 'invalid-request') {
    const m = String(err.message ?? '');
    if (m.includes('caseRef')) return '案件编号不能为空，且不超过 100 个字';
    if (m.includes('reason')) return '原因不能为空，且不超过 500 个字';
    return '保全请求格式有误';
  }
  if (err?.code === 'recording-not-found') return '录音不存在（可能已被清除），无法保全或解除';
  return errorText(err);
}

/** A refusal or failure as Chinese text; the server's English message is never shown to the auditor. */
export function errorText(err) {
  if (err?.status === 401) return '登录已过期，请重新登录';
  if (err?.status === 403) return ERROR_MESSAGES['permission-denied'];
  const known = err?.code ? ERROR_MESSAGES[err.code] : undefined;
  if (known) return known;
  if (err?.status >= 500) return `服务器内部错误（${err.status}），请稍后重试`;
  if (err?.status) return `请求被拒绝（${err.status}）`;
  return '无法连接服务器，请检查网络';
}

export const OUTCOMES = [
  ['answered', '已接通'],
  ['abandoned_ivr', '语音导航中挂机'],
  ['abandoned_queue', '排队中放弃'],
  ['abandoned_ringing', '振铃中放弃'],
  ['transferred_out', '已转出'],
  ['info_only', '仅收听信息'],
  ['callback_requested', '预约回电'],
  ['failed', '呼叫失败'],
  ['closed_on_restart', '重启时关闭'],
];
export const outcomeLabel = (o) => (o ? (OUTCOMES.find(([c]) => c === o)?.[1] ?? o) : '—');

export const ACTIONS = {
  search: '查询录音',
  list: '浏览录音列表',
  view: '查看详情',
  listen: '播放录音',
  download: '下载录音',
  package: '下载证据包',
  'export-csv': '导出通话记录',
  hold: '设置法律保全',
  release: '解除法律保全',
};
export const actionLabel = (a) => ACTIONS[a] ?? a;

const LEG_OUTCOMES = { no_answer: '未接听', busy: '忙', cancelled: '已取消', failed: '失败', hungup: '挂机' };

/** One timeline step as text; `nodeLabels` are the voice-menu node names from /ui/config.json. */
export function stepText(step, nodeLabels, skillLabel) {
  switch (step.kind) {
    case 'arrived':
      return `来电（${step.detail}）`;
    case 'ivr-choice': {
      const node = nodeLabels[step.detail] ?? step.detail;
      const key = step.digit ? `按 ${step.digit}` : '超时默认';
      return `语音导航 · ${node}：${key}${step.label ? ` · ${step.label}` : ''}`;
    }
    case 'ivr-exit':
      return '离开语音导航';
    case 'queued':
      return `进入排队${step.detail ? `（${skillLabel(step.detail)}）` : ''}`;
    case 'offered':
      return `振铃坐席 ${step.detail ?? ''}`;
    case 'not-answered': {
      const [agent, why] = String(step.detail ?? '').split(':');
      return `坐席 ${agent} ${LEG_OUTCOMES[why] ?? '未接听'}`;
    }
    case 'answered':
      return `坐席 ${step.detail ?? ''} 接通`;
    case 'escalated':
      return '升级处理';
    case 'transfer':
      return `转接至 ${step.detail}`;
    case 'transfer-answered':
      return `转接方 ${step.detail} 接通`;
    case 'conference':
      return `邀请 ${step.detail} 三方通话`;
    case 'transferred-out':
      return `转出至 ${step.detail}`;
    case 'ended':
      return `通话结束（${outcomeLabel(step.detail)}）`;
    default:
      return step.kind;
  }
}
