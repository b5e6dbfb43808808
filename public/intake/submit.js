// The public submission form (/public/submit): no sign-in; a proof-of-work challenge instead of a captcha.

const MESSAGES = {
  'challenge-failed': '安全校验未通过，请重新提交。',
  'challenge-rate-limited': '操作过于频繁，请稍后再试。',
  'number-rate-limited': '该手机号码提交过于频繁，请稍后再试。',
  'credential-rate-limited': '当前提交人数较多，请稍后再试。',
  'status-rate-limited': '查询过于频繁，请稍后再试。',
  'attachment-too-large': '附件过大，请压缩后再提交。',
  'unsupported-attachment': '附件类型不支持，仅限图片、视频、音频或 PDF。',
  'too-many-attachments': '附件数量过多。',
  'invalid-phone': '手机号码格式不正确。',
  'unknown-category': '请选择诉求分类。',
  'body-too-large': '提交内容过大（附件过大），请压缩后再提交。',
  'not-found': '未找到该诉求，请核对查询编号和手机号码。',
};
const FIELDS = {
  content: '诉求内容',
  phone: '手机号码',
  category: '诉求分类',
  type: '诉求类型',
  name: '姓名',
  location: '地点',
  code: '查询编号',
};

const $ = (id) => document.getElementById(id);

function explain(body) {
  if (body && MESSAGES[body.code]) return MESSAGES[body.code];
  const m = /(?:body|querystring)[./]([a-zA-Z]+)/.exec(body?.message ?? '');
  if (m && FIELDS[m[1]]) return `请检查“${FIELDS[m[1]]}”的填写。`;
  return '提交失败，请检查填写内容后重试。';
}

async function sha256Hex(text) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

function zeroBits(d) {
  let n = 0;
  for (const b of d) {
    if (b === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(b) - 24;
  }
  return n;
}

/** Searches the nonce in batches, so the page stays responsive. */
async function solve(challenge, bits) {
  for (let start = 0; ; start += 256) {
    const batch = [];
    for (let i = start; i < start + 256; i++) batch.push(sha256Hex(`${challenge}:${i}`).then((d) => [i, d]));
    for (const [i, d] of await Promise.all(batch)) if (zeroBits(d) >= bits) return String(i);
  }
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

async function loadCategories() {
  const res = await fetch('/public/categories');
  const list = await res.json();
  const sel = $('category');
  for (const c of list.filter((c) => c.parentCode !== null || c.code === 'other')) {
    const o = document.createElement('option');
    o.value = c.code;
    o.textContent = c.name;
    sel.append(o);
  }
}

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = false;
}

$('submit-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('error').hidden = true;
  $('send').disabled = true;
  try {
    const body = {
      type: $('type').value,
      category: $('category').value,
      content: $('content').value.trim(),
      phone: $('phone').value.trim(),
    };
    if ($('name').value.trim()) body.name = $('name').value.trim();
    if ($('location').value.trim()) body.location = $('location').value.trim();
    const file = $('file').files[0];
    if (file)
      body.attachments = [
        { fileName: file.name, mimeType: file.type || 'application/octet-stream', contentBase64: await readFile(file) },
      ];
    $('progress').textContent = '正在进行安全校验…';
    const cres = await fetch('/public/challenge');
    const c = await cres.json();
    if (!cres.ok) return showError(explain(c));
    body.challenge = c.challenge;
    body.nonce = await solve(c.challenge, c.bits);
    $('progress').textContent = '正在提交…';
    const res = await fetch('/public/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const out = await res.json().catch(() => ({}));
    if (!res.ok) return showError(explain(out));
    $('tracking-code').textContent = out.trackingCode;
    $('receipt').hidden = false;
    $('submit-form').hidden = true;
  } catch {
    showError('网络异常，请稍后重试。');
  } finally {
    $('progress').textContent = '';
    $('send').disabled = false;
  }
});

$('status-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = new URLSearchParams({ code: $('status-code').value.trim(), phone: $('status-phone').value.trim() });
  const res = await fetch(`/intake/status?${q}`);
  const out = await res.json().catch(() => ({}));
  $('status-result').textContent = res.ok
    ? `办理状态：${out.statusText}${out.answer ? `。答复：${out.answer}` : ''}`
    : explain(out);
});

loadCategories().catch(() => showError('分类加载失败，请刷新页面。'));
