/**
 * Places a simulated call on the PBX simulator, optionally with a DTMF script, through the simulator's
 * control API. See docs/calls.md.
 *
 *   npx tsx scripts/place-call.ts --from 13812341234                    (presses nothing: reaches an agent)
 *   npx tsx scripts/place-call.ts --from 13812341234 --dtmf hotline/desk-choice=2,hotline/emergency-advice=0 --log
 *
 * --from N          caller's number (default 13800138000)
 * --to N            dialled number (default 12345)
 * --dtmf G,G,...    groups of keys, each PROMPT=KEYS (sent once that prompt starts) or KEYS (at the next prompt)
 *                   PROMPT as played (hotline/desk-choice), not the ivr.json id (zh/desk-choice); unknown → refused
 * --hangup-after S  the caller hangs up after S seconds (default: stays until the agent hangs up)
 * --phone EXT=S     make agent phone EXT answer after S seconds (repeatable; S=never: never answers)
 * --control URL --auth USER:PASS   the control API; default: DATA_DIR/simulator/control.json written by `npm start`
 * --log             after placing, print the prompts the caller hears and the keys sent, until it hangs up
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: '13800138000' },
    to: { type: 'string', default: '12345' },
    dtmf: { type: 'string' },
    'hangup-after': { type: 'string' },
    phone: { type: 'string', multiple: true },
    control: { type: 'string' },
    auth: { type: 'string' },
    log: { type: 'boolean', default: false },
  },
});

function fail(msg: string): never {
  process.stderr.write(`place-call: ${msg}\n`);
  process.exit(2);
}

function controlTarget(): { url: string; auth: string } {
  if (values.control) {
    if (!values.auth) fail('--control needs --auth USER:PASS');
    return { url: values.control.replace(/\/+$/, ''), auth: values.auth };
  }
  const file = join(process.env.DATA_DIR ?? './data', 'simulator', 'control.json');
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { controlUrl: string; user: string; password: string };
    return { url: c.controlUrl, auth: `${c.user}:${c.password}` };
  } catch {
    fail(`cannot read ${file}: start the server with the built-in simulator (npm start), or pass --control and --auth`);
  }
}

const target = controlTarget();
const headers = {
  authorization: `Basic ${Buffer.from(target.auth).toString('base64')}`,
  'content-type': 'application/json',
};

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(target.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: show it as it came
    }
    fail(`${method} ${path}: ${res.status} ${message}`);
  }
  return text ? JSON.parse(text) : undefined;
}

if (!/^\d{3,20}$/.test(values.from)) fail('--from must be 3 to 20 digits');
if (!/^\d{3,20}$/.test(values.to)) fail('--to must be 3 to 20 digits');

for (const p of values.phone ?? []) {
  const m = /^(\w+)=(never|\d+(?:\.\d+)?)$/.exec(p);
  if (!m) fail(`--phone ${p}: use EXT=SECONDS or EXT=never`);
  await control('PUT', `/phones/${m[1]}`, m[2] === 'never' ? {} : { answerAfterMs: Math.round(Number(m[2]) * 1000) });
}

// Each group of keys waits for a prompt to start (PROMPT=KEYS: that prompt; KEYS alone: the next one),
// then is keyed half a second in, barging in as callers do.
const script: unknown[] = [];
if (values.dtmf) {
  for (const group of values.dtmf.split(',')) {
    const m = /^(?:([\w/.-]{1,100})=)?([0-9*#]+)$/.exec(group);
    if (!m) fail(`--dtmf: "${group}" is not KEYS or PROMPT=KEYS (keys 0-9 * #)`);
    script.push(
      { kind: 'awaitPrompt', media: m[1] ? `sound:${m[1]}` : 'sound:', timeoutMs: 60_000 },
      { kind: 'wait', ms: 500 },
      { kind: 'dtmf', digits: m[2], betweenMs: 300 },
    );
  }
}
const request: Record<string, unknown> = { from: values.from, to: values.to, script };
if (values['hangup-after']) {
  const s = Number(values['hangup-after']);
  if (!Number.isFinite(s) || s <= 0) fail('--hangup-after must be a number of seconds');
  request.hangupAfterMs = Math.round(s * 1000);
}
const placed = (await control('POST', '/calls', request)) as { callerChannelId: string; pbxChannelId: string };
process.stdout.write(
  `placed call from ${values.from} to ${values.to}: caller channel ${placed.callerChannelId}, PBX channel ${placed.pbxChannelId}\n`,
);

if (values.log) {
  let seen = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const log = (await control('GET', `/calls/${encodeURIComponent(placed.callerChannelId)}/log`)) as Array<
      Record<string, unknown>
    >;
    for (const e of log.slice(seen))
      process.stdout.write(
        `${new Date(Number(e.at)).toISOString()} ${String(e.kind)} ${String(e.media ?? e.digit ?? e.cause ?? '')}\n`,
      );
    seen = log.length;
    if (log.some((e) => e.kind === 'hangup')) break;
  }
}
