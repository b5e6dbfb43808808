// Shared by the agent desktop and the supervisor wallboard: sign-in, the token in sessionStorage,
// JSON calls to the API, Chinese labels and small formatting helpers. No build step: plain ES modules.
import { io } from '/ui/vendor/socket.io.esm.min.js';

const TOKEN_KEY = 'hotline.token';
const USER_KEY = 'hotline.user';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  get user() {
    const raw = sessionStorage.getItem(USER_KEY);
    try {
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  },
  save(issued) {
    sessionStorage.setItem(TOKEN_KEY, issued.token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(issued.user));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
  }
}

/** A JSON request to this server with the session's token. */
export async function api(method, path, body) {
  const headers = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export async function login(username, password) {
  const issued = await api('POST', '/auth/login', { username, password });
  session.save(issued);
  return issued;
}

/** Keeps the short-lived token fresh while the page is open; a live socket keeps its handshake token. */
export function keepTokenFresh(onExpired) {
  const tick = async () => {
    if (!session.token) return;
    try {
      const issued = await api('POST', '/auth/refresh', {});
      session.save(issued);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onExpired(err);
    }
  };
  return setInterval(tick, 5 * 60_000);
}

/** A socket.io connection to a namespace, authenticated with the session's token at every (re)connect. */
export function connect(namespace) {
  const socket = io(namespace, {
    auth: (cb) => cb({ token: session.token ?? '' }),
    transports: ['websocket', 'polling'],
  });
  let revoked = false;
  socket.on('auth:revoked', () => {
    revoked = true;
  });
  // socket.io reconnects on its own after a network drop, but not when the server closed the socket
  // (a restart or shutdown closes every socket): reconnect then too, unless the account was revoked.
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect' && !revoked) setTimeout(() => socket.connect(), 1000);
  });
  return socket;
}

/** Ends the session and reloads the page to its sign-in form, which shows `message`. */
export function expireSession(socket, message) {
  socket?.disconnect();
  session.clear();
  sessionStorage.setItem('hotline.notice', message);
  location.reload();
}

/**
 * Shows the signed-in user, keeps the token fresh and opens the page's live namespace: the connection
 * badge (`upText` while connected), back to sign-in on 401 or revocation, `onForbidden` on 403.
 */
export function openLivePage(namespace, { upText, onForbidden }) {
  const user = session.user;
  $('#whoami').textContent = user
    ? user.displayName && user.displayName !== user.username
      ? `${user.displayName}（${user.username}）`
      : user.username
    : '';
  $('#logout').hidden = false;
  let socket;
  keepTokenFresh(() => expireSession(socket, '登录已过期，请重新登录'));
  socket = connect(namespace);
  const badge = (up, why) => {
    const c = $('#connection');
    c.hidden = false;
    c.className = `conn ${up ? 'up' : 'down'}`;
    c.textContent = up ? upText : `连接中断，正在重连…${why ? `（${why}）` : ''}`;
  };
  socket.on('connect', () => badge(true));
  socket.on('disconnect', () => badge(false));
  socket.on('connect_error', (err) => {
    const status = err?.data?.statusCode;
    if (status === 401) return expireSession(socket, '登录已失效，请重新登录');
    if (status === 403) {
      socket.disconnect();
      return onForbidden();
    }
    badge(false, err.message);
  });
  socket.on('auth:revoked', () => expireSession(socket, '账号已被停用或修改，请重新登录'));
  return socket;
}

/** Emits with an acknowledgement; resolves to the server's answer `{ ok, error? }`. */
export function command(socket, event, payload = {}) {
  return socket
    .timeout(8000)
    .emitWithAck(event, payload)
    .catch(() => ({ ok: false, error: { statusCode: 0, code: 'timeout', message: '服务器无应答 (timeout)' } }));
}

export const SKILL_LABELS = { mandarin: '普通话', zhuang: '壮话', cantonese: '粤语' };
export const skillLabel = (s) => SKILL_LABELS[s] ?? s;

export const AGENT_STATUS_LABELS = {
  'signed-out': '未签入',
  ready: '就绪',
  reserved: '振铃中',
  'on-call': '通话中',
  'wrap-up': '话后处理',
  paused: '暂停',
};

export const CALL_STATE_LABELS = {
  ringing: '振铃中',
  answered: '通话中',
  held: '保持中',
  resumed: '通话中',
  transferring: '转接中',
  transferred: '已转接',
  conference: '三方通话',
  'transfer-failed': '转接失败',
  ended: '已结束',
  withdrawn: '来电已撤回',
  monitored: '班长已接入',
  unmonitored: '通话中',
  dialling: '正在拨打市民',
  'callback-failed': '回拨未接通',
};

export const ORDER_STATUS_LABELS = {
  registered: '已登记',
  'not-accepted': '不予受理',
  disputed: '争议中',
  dispatched: '已派单',
  signed: '已签收',
  returned: '已退单',
  replied: '已答复',
  closed: '已办结',
  'under-review': '复核中',
  merged: '已合并',
};
export const orderStatusLabel = (s) => ORDER_STATUS_LABELS[s] ?? s;

export const PAUSE_REASONS = [
  ['BREAK', '小休'],
  ['LUNCH', '用餐'],
  ['TRAINING', '培训'],
  ['MEETING', '会议'],
  ['ADMIN', '事务处理'],
  ['RONA', '未接听 (RONA)'],
  ['UNREACHABLE', '话机不可达'],
  ['SUPERVISOR', '班长置为暂停'],
];
export const pauseLabel = (code) => PAUSE_REASONS.find(([c]) => c === code)?.[1] ?? code;

/** Text content only: never innerHTML with server data. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

/** Children for replaceChildren(): leaves out null, undefined and false (which it would print). */
export const kids = (...list) => list.flat().filter((c) => c !== undefined && c !== null && c !== false);

export const $ = (sel) => document.querySelector(sel);

export function seconds(ms) {
  return ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} 秒`;
}

export function percent(x) {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`;
}

export function clockTime(ms) {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
}

export function dateTime(ms) {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
}

/** Renders the sign-in form into `container`; resolves once signed in. */
export function signInForm(container, { title, hint }) {
  return new Promise((resolve) => {
    const error = el('p', { class: 'error', role: 'alert', id: 'login-error' });
    const user = el('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true });
    const pass = el('input', {
      id: 'login-password',
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    });
    const form = el(
      'form',
      { class: 'card login', id: 'login-form' },
      el('h2', {}, title),
      hint ? el('p', { class: 'muted' }, hint) : null,
      el('label', {}, '用户名', user),
      el('label', {}, '密码', pass),
      el('button', { type: 'submit', id: 'login-submit', class: 'primary' }, '登录'),
      error,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      try {
        const issued = await login(user.value.trim(), pass.value);
        resolve(issued);
      } catch (err) {
        const status = err instanceof ApiError ? err.status : 0;
        error.textContent =
          status === 401
            ? '用户名或密码错误'
            : status === 429
              ? '登录失败次数过多，请稍后再试'
              : `登录失败：${err.message}`;
      }
    });
    container.replaceChildren(form);
    user.focus();
  });
}
