/**
 * A terminal agent desktop: signs in over HTTP, connects to the `/agent` socket.io namespace, signs in
 * to the queue at a phone, and prints every screen-pop and call update. See docs/calls.md.
 *
 *   AGENT_PASSWORD=... npx tsx scripts/agent-desktop.ts --user agent1 --extension 1001 --skills mandarin
 *
 * --url URL         the CTI server (default http://127.0.0.1:3000, or PORT from the environment)
 * --user NAME       a user with the agent (or supervisor) role; password from AGENT_PASSWORD or --password
 * --extension EXT   the phone the agent sits at (dialled through AGENT_DIAL_TEMPLATE)
 * --skills a,b      queues to take calls from (default mandarin)
 * Keys while running: r = ready, p = pause (reason BREAK), h = hang up, o = hold/unhold, q = sign out and quit.
 */
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? '3000'}` },
    user: { type: 'string' },
    password: { type: 'string' },
    extension: { type: 'string', default: '1001' },
    skills: { type: 'string', default: 'mandarin' },
  },
});

function fail(msg: string): never {
  process.stderr.write(`agent-desktop: ${msg}\n`);
  process.exit(2);
}

const password = values.password ?? process.env.AGENT_PASSWORD;
if (!values.user || !password) fail('--user and a password (AGENT_PASSWORD or --password) are required');
const base = values.url.replace(/\/+$/, '');

const login = await fetch(`${base}/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: values.user, password }),
}).catch((err: unknown) => fail(`cannot reach ${base}: ${String(err)}`));
const issued = (await login.json()) as { token?: string; message?: string };
if (!login.ok || !issued.token) fail(`sign-in refused: ${login.status} ${issued.message ?? ''}`);

const socket = io(`${base}/agent`, { auth: { token: issued.token }, transports: ['websocket'] });
const say = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
let onHold = false;

socket.on('connect_error', (err) => say(`connection refused: ${err.message}`));
socket.on('connect', async () => {
  say(`connected to ${base}/agent as ${values.user}`);
  const ack = await socket.emitWithAck('sign-in', { extension: values.extension, skills: values.skills.split(',') });
  say(ack.ok ? `signed in at ${values.extension} for ${values.skills}` : `sign-in: ${ack.error.message}`);
});
socket.on('agent-state', (s: { status: string; pauseReason?: string }) =>
  say(`state: ${s.status}${s.pauseReason ? ` (${s.pauseReason})` : ''}`),
);
socket.on('current-call', (c: unknown) => c && say(`current call: ${JSON.stringify(c)}`));
socket.on('screen-pop', (p: Record<string, any>) => {
  say('──────── SCREEN-POP ────────');
  say(
    `call ${p.callId}  caller ${p.callerNumber}  desk ${p.skill}  priority ${p.priority}${p.repeatCaller ? '  REPEAT CALLER' : ''}`,
  );
  say(
    `menu: ${(p.ivrChoices as any[]).map((c) => `${c.node}:${c.digit ?? '-'}${c.label ? ` (${c.label})` : ''}`).join(' → ') || '(none)'}`,
  );
  say(`waited ${(p.waitedMs / 1000).toFixed(1)} s since the menu`);
  if ((p.history as any[]).length === 0) say('no earlier work orders');
  for (const o of p.history as any[])
    say(
      `  ${o.open ? 'OPEN  ' : 'closed'} #${o.number} ${o.category ?? ''} ${o.status} ${new Date(o.createdAt).toISOString().slice(0, 10)}`,
    );
  say(`draft: ${JSON.stringify(p.draft)}`);
});
socket.on('call-update', (u: { callId: string; state: string; detail?: string }) =>
  say(`call ${u.callId}: ${u.state}${u.detail ? ` ${u.detail}` : ''}`),
);
socket.on('disconnect', (reason) => say(`disconnected (${reason})`));

const command = async (event: string, payload: unknown = {}) => {
  const ack = await socket
    .timeout(5000)
    .emitWithAck(event, payload)
    .catch((e: unknown) => ({ ok: false, error: { message: String(e) } }));
  say(ack.ok ? `${event}: ok` : `${event}: ${ack.error.message}`);
};

if (process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  process.stdin.resume();
  process.stdin.on('data', async (buf) => {
    const k = buf.toString();
    if (k === 'r') await command('ready');
    else if (k === 'p') await command('pause', { reason: 'BREAK' });
    else if (k === 'h') await command('hangup');
    else if (k === 'o') {
      await command(onHold ? 'unhold' : 'hold');
      onHold = !onHold;
    } else if (k === 'q' || k === '\u0003') {
      await command('sign-out');
      socket.close();
      process.exit(0);
    }
  });
}
