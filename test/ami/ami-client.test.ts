import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { startAmiServer, type AmiServerHandle } from '../../src/simulator/ami-server.ts';
import { AmiClient, type AmiLogger } from '../../src/telephony/ami/ami-client.ts';
import type { AmiEvent } from '../../src/telephony/ami/ami-event.ts';
import {
  AmiActionError,
  AmiActionTimeoutError,
  AmiConnectionLostError,
  AmiNotConnectedError,
} from '../../src/telephony/ami/ami-errors.ts';
import { at, channel, stubEngine } from './stub-engine.ts';

/** Waits for real socket I/O (not for timers: those run on the FakeClock). */
async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function recordingLogger() {
  const lines: Array<{ level: 'info' | 'warn' | 'error'; msg: string; obj: object }> = [];
  const logger: AmiLogger = {
    info: (obj, msg) => lines.push({ level: 'info', msg, obj }),
    warn: (obj, msg) => lines.push({ level: 'warn', msg, obj }),
    error: (obj, msg) => lines.push({ level: 'error', msg, obj }),
  };
  return { logger, lines };
}

/** A TCP peer that greets and accepts Login like Asterisk, then answers nothing (or what `onAction` says). */
async function scriptedAmi(
  onAction: (socket: Socket, action: string, actionId: string) => void = () => {},
): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.setEncoding('utf8');
    s.on('error', () => {});
    s.write('Asterisk Call Manager/11.0.0\r\n');
    let buf = '';
    s.on('data', (d: string) => {
      buf += d;
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const action = /^Action: (.*)$/im.exec(block)?.[1] ?? '';
        const actionId = /^ActionID: (.*)$/im.exec(block)?.[1] ?? '';
        if (action.toLowerCase() === 'login')
          s.write(`Response: Success\r\nActionID: ${actionId}\r\nMessage: Authentication accepted\r\n\r\n`);
        else onAction(s, action, actionId);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0, sockets };
}

describe('AMI adapter (AmiClient)', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function simulatorAmi(port = 0): Promise<AmiServerHandle & { engine: ReturnType<typeof stubEngine> }> {
    const engine = stubEngine();
    const server = await startAmiServer({ engine, user: 'cti', secret: 'good', port, authFailDelayMs: 0 });
    cleanups.push(() => server.close());
    return Object.assign(server, { engine });
  }

  function client(port: number, over: Partial<ConstructorParameters<typeof AmiClient>[0]> = {}) {
    const clock = new FakeClock();
    const { logger, lines } = recordingLogger();
    const c = new AmiClient({
      host: '127.0.0.1',
      port,
      user: 'cti',
      secret: 'good',
      clock,
      logger,
      heartbeatMs: 0,
      random: () => 0.5,
      ...over,
    });
    cleanups.push(() => c.stop());
    return { c, clock, lines };
  }

  it('logs in, answers Ping and CoreStatus with lowercased keys, and delivers normalised events', async () => {
    const ami = await simulatorAmi();
    const { c, lines } = client(ami.port);
    const events: AmiEvent[] = [];
    c.onEvent((e) => events.push(e));
    c.start();
    await until(() => c.state === 'ready', 'ready');
    expect(lines.filter((l) => l.level === 'info').map((l) => l.msg)).toEqual(['AMI connected and logged in']);
    const pong = await c.ping();
    expect(pong['response']).toBe('Success');
    expect(pong['ping']).toBe('Pong');
    const status = await c.coreStatus();
    expect(status['corestartupdate']).toBe('2026-11-25');

    const ch = channel('Local/300@cti-inbound-00000004;2', '1795645637.9', 'Ring', {
      caller: { name: 'Customer 300', number: '555300' },
    });
    ami.engine.bus.emit({ ...at(), type: 'varSet', channel: ch, variable: 'STASISSTATUS', value: '' });
    ami.engine.bus.emit({ ...at(), type: 'channelDestroyed', channel: ch, cause: 16, causeTxt: 'Normal Clearing' });
    await until(() => events.some((e) => e.name === 'Hangup'), 'Hangup event');
    const varset = events.find((e) => e.name === 'VarSet');
    expect(varset?.fields['variable']).toBe('STASISSTATUS');
    expect(varset?.fields['value']).toBe('');
    const hangup = events.find((e) => e.name === 'Hangup');
    expect(hangup?.fields).toMatchObject({
      channel: 'Local/300@cti-inbound-00000004;2',
      uniqueid: '1795645637.9',
      cause: '16',
      'cause-txt': 'Normal Clearing',
      calleridnum: '555300',
    });
  });

  it('a wrong secret gives one clear error line, no crash, and retries on the backoff schedule', async () => {
    const ami = await simulatorAmi();
    const { c, clock, lines } = client(ami.port, { secret: 'bad', backoff: { initialMs: 1000, maxMs: 8000 } });
    c.start();
    await until(() => c.state === 'backoff', 'first failure');
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toBe('AMI: AMI login as cti refused: Authentication failed; retrying in 750 ms');
    expect(errors[0]!.msg).not.toContain('bad');
    // Equal jitter with random()=0.5: 750, 1500, 3000, 6000, then capped at 8000 → 6000.
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = lines.length;
      const retry = (lines.at(-1)!.obj as { retryInMs: number }).retryInMs;
      delays.push(retry);
      await clock.advanceAsync(retry);
      await until(() => lines.length > before, `attempt ${i + 2}`);
    }
    expect(delays).toEqual([750, 1500, 3000, 6000, 6000]);
    // Unchanged reason: later attempts are warnings, so a long outage is one error line.
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(5);
    expect(c.state).toBe('backoff');
  });

  it('an action without answer fails with a typed timeout naming the action, and frees its listener', async () => {
    const silent = await scriptedAmi();
    cleanups.push(() => new Promise((r) => silent.server.close(r)));
    cleanups.push(() => silent.sockets.forEach((s) => s.destroy()));
    const { c, clock } = client(silent.port);
    c.start();
    await until(() => c.state === 'ready', 'ready');
    const p = c.action('CoreStatus', {}, { timeoutMs: 2000 });
    const settled = p.catch((e: unknown) => e);
    await until(() => silent.sockets.length === 1, 'socket');
    await clock.advanceAsync(1999);
    await clock.advanceAsync(1);
    const err = await settled;
    expect(err).toBeInstanceOf(AmiActionTimeoutError);
    expect((err as AmiActionTimeoutError).action).toBe('CoreStatus');
    expect((err as Error).message).toBe('AMI action CoreStatus got no response within 2000 ms');
  });

  it('Asterisk errors come back as AmiActionError with the reason, not as the raw response object', async () => {
    const ami = await simulatorAmi();
    const { c } = client(ami.port);
    c.start();
    await until(() => c.state === 'ready', 'ready');
    const err = await c.action('Originate', { Exten: '1001' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmiActionError);
    expect((err as AmiActionError).reason).toBe('Channel not specified');
    expect((err as AmiActionError).action).toBe('Originate');
    const ok = await c.originate({ channel: 'Local/1001@agents', context: 'agents', exten: '1001', priority: 1 });
    expect(ok['message']).toBe('Originate successfully queued');
  });

  it('an action sent while disconnected waits for the connection, and fails typed when the deadline passes', async () => {
    const { c, clock } = client(1, { connectTimeoutMs: 60_000 });
    c.start();
    await until(() => c.state === 'backoff', 'refused');
    const err = c.action('Ping', {}, { timeoutMs: 500 }).catch((e: unknown) => e);
    await clock.advanceAsync(500);
    expect(await err).toBeInstanceOf(AmiNotConnectedError);
    c.stop();
    await expect(c.ping()).rejects.toBeInstanceOf(AmiNotConnectedError);
  });

  it('the connection dropping under a pending action fails it with AmiConnectionLostError', async () => {
    const dropper = await scriptedAmi((s, action) => {
      if (action === 'CoreStatus') s.destroy();
    });
    cleanups.push(() => new Promise((r) => dropper.server.close(r)));
    const { c } = client(dropper.port);
    c.start();
    await until(() => c.state === 'ready', 'ready');
    const err = await c.coreStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmiConnectionLostError);
    expect(c.state).toBe('backoff');
  });

  it('server restart: the adapter reconnects, logs in again and events flow, without any restart of its own', async () => {
    const first = await simulatorAmi();
    const port = first.port;
    const { c, clock, lines } = client(port, { backoff: { initialMs: 1000, maxMs: 30_000 } });
    const events: AmiEvent[] = [];
    c.onEvent((e) => events.push(e));
    c.start();
    await until(() => c.state === 'ready', 'ready');
    await first.close();
    await until(() => c.state === 'backoff', 'backoff after restart');
    // Down for a while: several refused attempts.
    for (let i = 0; i < 3; i++) {
      const n = lines.length;
      await clock.advanceAsync(30_000);
      await until(() => lines.length > n, 'refused attempt');
    }
    expect(lines.some((l) => l.msg.startsWith('AMI: cannot connect to 127.0.0.1:'))).toBe(true);
    const second = await simulatorAmi(port);
    await clock.advanceAsync(30_000);
    await until(() => c.state === 'ready', 're-login');
    expect(lines.at(-1)!.msg).toBe('AMI reconnected and logged in');
    second.engine.bus.emit({
      ...at(),
      type: 'channelCreated',
      channel: channel('Local/1001@agents-00000001;1', 'a1', 'Down'),
    });
    await until(() => events.some((e) => e.name === 'Newchannel'), 'event after reconnect');
    expect((await c.ping())['ping']).toBe('Pong');
  });

  it('the heartbeat notices a peer that stopped answering and reconnects', async () => {
    const silent = await scriptedAmi();
    cleanups.push(() => new Promise((r) => silent.server.close(r)));
    cleanups.push(() => silent.sockets.forEach((s) => s.destroy()));
    const { c, clock, lines } = client(silent.port, { heartbeatMs: 10_000, actionTimeoutMs: 2000 });
    c.start();
    await until(() => c.state === 'ready', 'ready');
    await clock.advanceAsync(10_000);
    await until(() => silent.sockets.length >= 1, 'ping sent');
    await clock.advanceAsync(2000);
    expect(c.state).toBe('backoff');
    expect(lines.some((l) => l.level === 'error' && l.msg.startsWith('AMI: heartbeat Ping got no answer'))).toBe(true);
  });

  it('a hung Asterisk (accepts, never answers) costs no socket per attempt: each timed-out one is destroyed', async () => {
    const tcp = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const baseline = tcp();
    const accepted = new Set<Socket>();
    const hung = createServer((s) => {
      accepted.add(s);
      s.on('close', () => accepted.delete(s));
      s.on('error', () => {});
      s.write('Asterisk Call Manager/11.0.0\r\n');
      // Never reads again: our FIN is not even noticed, as with a deadlocked Asterisk.
      s.pause();
    });
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => hung.close(r)));
    cleanups.push(() => accepted.forEach((s) => s.destroy()));
    const port = (hung.address() as { port: number }).port;
    const { c, clock } = client(port, { connectTimeoutMs: 1000, backoff: { initialMs: 100, maxMs: 100 } });
    c.start();
    for (let i = 0; i < 10; i++) {
      await until(() => accepted.size >= i + 1, `attempt ${i + 1}`);
      await until(() => c.state === 'logging-in', 'logging in');
      await clock.advanceAsync(1000);
      await clock.advanceAsync(100);
    }
    await until(() => accepted.size >= 11, 'attempt 11');
    // Server-side sockets stay (the peer is hung); on our side only the current attempt is open.
    const ours = () => tcp() - baseline - accepted.size;
    await until(() => ours() <= 1, 'old sockets released');
    expect(ours()).toBe(1);
    c.stop();
    await until(() => ours() === 0, 'all released after stop');
  });

  it('a peer that is not AMI is refused with a clear reason; a UTF-8 name split across TCP chunks arrives whole', async () => {
    const http = createServer((s) => {
      s.on('error', () => {});
      s.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => http.close(r)));
    const wrong = client((http.address() as { port: number }).port);
    wrong.c.start();
    await until(() => wrong.lines.length > 0, 'refusal');
    expect(wrong.lines[0]!.msg).toMatch(
      /^AMI: peer is not an AMI server \(first line "HTTP\/1\.1 400 Bad Request"\); retrying in \d+ ms$/,
    );

    const bytes = Buffer.from('Event: NewCallerid\r\nCallerIDNum: 13812341234\r\nCallerIDName: 张三丰\r\n\r\n', 'utf8');
    const split = bytes.indexOf(Buffer.from('三', 'utf8')) + 1;
    const utf8 = await scriptedAmi((s, action) => {
      if (action !== 'Ping') return;
      s.write(bytes.subarray(0, split));
      setTimeout(() => s.write(bytes.subarray(split)), 20);
    });
    cleanups.push(() => new Promise((r) => utf8.server.close(r)));
    cleanups.push(() => utf8.sockets.forEach((x) => x.destroy()));
    const { c } = client(utf8.port);
    const events: AmiEvent[] = [];
    c.onEvent((e) => events.push(e));
    c.start();
    await until(() => c.state === 'ready', 'ready');
    void c.action('Ping', {}, { timeoutMs: 60_000 }).catch(() => {});
    await until(() => events.length === 1, 'event');
    expect(events[0]!.fields['calleridname']).toBe('张三丰');
  });

  it('malformed lines, garbage frames and a throwing listener do not crash the adapter', async () => {
    const noisy = await scriptedAmi((s, action, id) => {
      if (action === 'Ping') {
        s.write('garbage without colon\r\n: \r\n::::\r\n\r\n');
        s.write('Event: \r\n\r\n');
        s.write(
          'Event: Newchannel\r\nEvent: Newchannel\r\nChannel: A\r\nChannel: B\r\nVariable: x=1\r\nChanVariable: y=2\r\nChanVariable: z=3\r\n\r\n',
        );
        s.write('\u0000\u00ff\r\n\r\n\r\n');
        s.write(`Response: Success\r\nActionID: ${id}\r\nPing: Pong\r\n\r\n`);
      }
    });
    cleanups.push(() => new Promise((r) => noisy.server.close(r)));
    cleanups.push(() => noisy.sockets.forEach((s) => s.destroy()));
    const { c, lines } = client(noisy.port);
    const events: AmiEvent[] = [];
    c.onEvent(() => {
      throw new Error('listener bug');
    });
    c.onEvent((e) => events.push(e));
    c.start();
    await until(() => c.state === 'ready', 'ready');
    expect((await c.ping())['ping']).toBe('Pong');
    await until(() => events.length >= 1, 'event');
    expect(events[0]).toEqual({
      name: 'Newchannel',
      fields: { channel: 'A', variable: 'x=1' },
      variables: { y: '2', z: '3' },
    });
    expect(lines.some((l) => l.msg === 'AMI event listener threw; event skipped for it')).toBe(true);
    expect(c.state).toBe('ready');
  });
});
