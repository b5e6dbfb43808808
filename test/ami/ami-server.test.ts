import { afterEach, describe, expect, it } from 'vitest';
import { startAmiServer, type AmiServerHandle } from '../../src/simulator/ami-server.ts';
import { getHeader, type AmiMessage } from '../../src/shared/ami-codec.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { RawAmiClient } from './raw-ami-client.ts';
import { at, channel, stubEngine } from './stub-engine.ts';

const keys = (m: AmiMessage): string[] => m.map(([k]) => k);

describe('simulator AMI server: protocol', () => {
  let server: AmiServerHandle | undefined;
  const clients: RawAmiClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.close();
    server = undefined;
  });

  async function start(opts: { clock?: FakeClock; authFailDelayMs?: number } = {}) {
    const engine = stubEngine();
    server = await startAmiServer({
      engine,
      user: 'cti',
      secret: 's3cret',
      authFailDelayMs: opts.authFailDelayMs ?? 0,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    return engine;
  }
  async function client(): Promise<RawAmiClient> {
    const c = await RawAmiClient.connect(server!.port);
    clients.push(c);
    return c;
  }
  async function loggedIn(): Promise<RawAmiClient> {
    const c = await client();
    c.send([
      ['Action', 'Login'],
      ['Username', 'cti'],
      ['Secret', 's3cret'],
      ['Events', 'on'],
      ['ActionID', 'login-1'],
    ]);
    await c.response('login-1');
    return c;
  }

  it('greets with the Asterisk 22 banner, logs in as the reference shows and sends FullyBooted then SuccessfulAuth', async () => {
    await start();
    const c = await client();
    c.send([
      ['Action', 'Login'],
      ['Username', 'cti'],
      ['Secret', 's3cret'],
      ['Events', 'on'],
      ['ActionID', 'login-1'],
    ]);
    const res = await c.response('login-1');
    expect(c.banner).toBe('Asterisk Call Manager/11.0.0');
    expect(res).toEqual([
      ['Response', 'Success'],
      ['ActionID', 'login-1'],
      ['Message', 'Authentication accepted'],
    ]);
    const booted = await c.event('FullyBooted');
    expect(keys(booted)).toEqual(['Event', 'Privilege', 'Uptime', 'LastReload', 'Status']);
    const auth = await c.event('SuccessfulAuth');
    expect(keys(auth)).toEqual([
      'Event',
      'Privilege',
      'EventTV',
      'Severity',
      'Service',
      'EventVersion',
      'AccountID',
      'SessionID',
      'LocalAddress',
      'RemoteAddress',
      'UsingPassword',
      'SessionTV',
    ]);
    expect(getHeader(auth, 'AccountID')).toBe('cti');
    expect(c.received.indexOf(booted)).toBeLessThan(c.received.indexOf(auth));
  });

  it('answers a wrong password after Asterisk\'s one-second brake with "Authentication failed" and hangs up', async () => {
    const clock = new FakeClock();
    await start({ clock, authFailDelayMs: 1000 });
    const c = await client();
    c.send([
      ['Action', 'Login'],
      ['Username', 'cti'],
      ['Secret', 'wrong'],
      ['ActionID', 'l1'],
    ]);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.received).toEqual([]);
    await clock.advanceAsync(999);
    expect(c.received).toEqual([]);
    await clock.advanceAsync(1);
    const res = await c.response('l1');
    expect(res).toEqual([
      ['Response', 'Error'],
      ['ActionID', 'l1'],
      ['Message', 'Authentication failed'],
    ]);
    await c.waitClosed();
  });

  it('refuses actions before login, names unknown actions and a missing Action, and ignores malformed lines', async () => {
    await start();
    const c = await client();
    c.send([
      ['Action', 'Ping'],
      ['ActionID', 'p0'],
    ]);
    expect(await c.response('p0')).toEqual([
      ['Response', 'Error'],
      ['ActionID', 'p0'],
      ['Message', 'Permission denied'],
    ]);
    c.send([
      ['Action', 'Login'],
      ['Username', 'cti'],
      ['Secret', 's3cret'],
      ['ActionID', 'l'],
    ]);
    await c.response('l');
    c.raw('this line has no colon\r\n\u0000\u0001garbage\r\nAction: Frobnicate\r\nActionID: f1\r\n\r\n');
    expect(getHeader(await c.response('f1'), 'Message')).toBe(
      'Invalid/unknown command: Frobnicate. Use Action: ListCommands to show available commands.',
    );
    c.send([['ActionID', 'none']]);
    expect(getHeader(await c.response('none'), 'Message')).toBe('Missing action in request');
    c.raw(`Action: Ping\r\nActionID: long\r\nX-Junk: ${'x'.repeat(20_000)}\r\n\r\n`);
    expect(getHeader(await c.response('long'), 'Ping')).toBe('Pong');
    // Bare LF framing is accepted as Asterisk does.
    c.raw('Action: Ping\nActionID: lf\n\n');
    expect(getHeader(await c.response('lf'), 'Response')).toBe('Success');
    expect(server!.sessionCount()).toBe(1);
  });

  it('Ping, CoreStatus and Logoff answer with the fields and texts Asterisk uses', async () => {
    const engine = await start();
    const c = await loggedIn();
    c.send([
      ['Action', 'Ping'],
      ['ActionID', 'p1'],
    ]);
    const ping = await c.response('p1');
    expect(keys(ping)).toEqual(['Response', 'ActionID', 'Ping', 'Timestamp']);
    expect(getHeader(ping, 'Timestamp')).toMatch(/^\d+\.\d{6}$/);
    engine.channels.set('x', channel('Local/1001@agents-00000001;1', 'x', 'Up'));
    c.send([
      ['Action', 'CoreStatus'],
      ['ActionID', 'cs'],
    ]);
    const cs = await c.response('cs');
    expect(keys(cs)).toEqual([
      'Response',
      'ActionID',
      'CoreStartupDate',
      'CoreStartupTime',
      'CoreReloadDate',
      'CoreReloadTime',
      'CoreCurrentCalls',
      'CoreProcessedCalls',
    ]);
    expect(getHeader(cs, 'CoreStartupDate')).toBe('2026-11-25');
    expect(getHeader(cs, 'CoreStartupTime')).toBe('22:26:34');
    expect(getHeader(cs, 'CoreCurrentCalls')).toBe('1');
    c.send([
      ['Action', 'Logoff'],
      ['ActionID', 'logoff-1'],
    ]);
    expect(await c.response('logoff-1')).toEqual([
      ['Response', 'Goodbye'],
      ['ActionID', 'logoff-1'],
      ['Message', 'Thanks for all the fish.'],
    ]);
    await c.waitClosed();
  });

  it('renders engine events only to logged-in sessions whose event mask admits the class', async () => {
    const engine = await start();
    const all = await loggedIn();
    const callOnly = await client();
    callOnly.send([
      ['Action', 'Login'],
      ['Username', 'cti'],
      ['Secret', 's3cret'],
      ['Events', 'call'],
      ['ActionID', 'l'],
    ]);
    await callOnly.response('l');
    const anonymous = await client();
    const ch = channel('Local/1001@agents-00000006;1', 'agent-300', 'Down', {
      caller: { name: 'Queue', number: '7000' },
    });
    engine.bus.emit({ ...at(), type: 'channelCreated', channel: ch });
    engine.bus.emit({ ...at(), type: 'varSet', channel: ch, variable: 'STASISSTATUS', value: '' });
    engine.bus.emit({ ...at(), type: 'channelDestroyed', channel: ch, cause: 16, causeTxt: 'Normal Clearing' });
    const hangup = await all.event('Hangup');
    expect(keys(hangup).slice(-3)).toEqual(['Linkedid', 'Cause', 'Cause-txt']);
    expect(getHeader(await all.event('Newchannel'), 'CallerIDNum')).toBe('7000');
    expect(getHeader(await all.event('Newchannel'), 'ConnectedLineNum')).toBe('<unknown>');
    expect(getHeader(await all.event('VarSet'), 'Privilege')).toBe('dialplan,all');
    await callOnly.event('Hangup');
    expect(callOnly.received.some((m) => getHeader(m, 'Event') === 'VarSet')).toBe(false);
    expect(anonymous.received).toEqual([]);
  });

  it('async Originate is acknowledged, then OriginateResponse Success/Reason 4 when the channel answers', async () => {
    const engine = await start();
    const c = await loggedIn();
    c.send([
      ['Action', 'Originate'],
      ['Channel', 'Local/1001@agents'],
      ['Context', 'agents'],
      ['Exten', '1001'],
      ['Priority', '1'],
      ['Async', 'true'],
      ['CallerID', '"Queue" <7000>'],
      ['Variable', 'A=1,B=2'],
      ['ActionID', 'o1'],
    ]);
    expect(await c.response('o1')).toEqual([
      ['Response', 'Success'],
      ['ActionID', 'o1'],
      ['Message', 'Originate successfully queued'],
    ]);
    expect(engine.originated[0]).toMatchObject({
      endpoint: 'Local/1001@agents',
      context: 'agents',
      exten: '1001',
      priority: 1,
      variables: { A: '1', B: '2' },
    });
    const [id, snap] = [...engine.channels.entries()][0]!;
    engine.bus.emit({
      ...at(),
      type: 'channelStateChanged',
      channel: { ...snap, state: 'Up', stateCode: 6 },
      previousState: 'Down',
    });
    const ev = await c.event('OriginateResponse');
    expect(ev).toEqual([
      ['Event', 'OriginateResponse'],
      ['Privilege', 'call,all'],
      ['ActionID', 'o1'],
      ['Response', 'Success'],
      ['Channel', snap.name],
      ['Context', 'agents'],
      ['Exten', '1001'],
      ['Application', ''],
      ['Data', ''],
      ['Reason', '4'],
      ['Uniqueid', id],
      ['CallerIDNum', '7000'],
      ['CallerIDName', 'Queue'],
    ]);
  });

  it('Originate failures: busy gives Reason 5, an unknown technology Reason 0, bad input an error response', async () => {
    const engine = await start();
    const c = await loggedIn();
    c.send([
      ['Action', 'Originate'],
      ['Channel', 'Local/1002@agents'],
      ['Exten', '1002'],
      ['Context', 'agents'],
      ['Async', 'yes'],
      ['ActionID', 'busy'],
    ]);
    await c.response('busy');
    const snap = [...engine.channels.values()][0]!;
    engine.bus.emit({ ...at(), type: 'channelDestroyed', channel: snap, cause: 17, causeTxt: 'User busy' });
    const busy = await c.waitFor(
      (m) => getHeader(m, 'Event') === 'OriginateResponse' && getHeader(m, 'ActionID') === 'busy',
    );
    expect([getHeader(busy, 'Response'), getHeader(busy, 'Reason')]).toEqual(['Failure', '5']);

    c.send([
      ['Action', 'Originate'],
      ['Channel', 'Nope/1'],
      ['Exten', '1'],
      ['Async', 'yes'],
      ['ActionID', 'tech'],
    ]);
    await c.response('tech');
    const tech = await c.waitFor(
      (m) => getHeader(m, 'Event') === 'OriginateResponse' && getHeader(m, 'ActionID') === 'tech',
    );
    expect([getHeader(tech, 'Response'), getHeader(tech, 'Reason'), getHeader(tech, 'Channel')]).toEqual([
      'Failure',
      '0',
      'Nope/1',
    ]);

    for (const [id, fields, msg] of [
      ['n1', [], 'Channel not specified'],
      ['n2', [['Channel', 'NoSlash']], 'Invalid channel'],
      [
        'n3',
        [
          ['Channel', 'Local/1@x'],
          ['Timeout', 'soon'],
        ],
        'Invalid timeout',
      ],
    ] as Array<[string, Array<[string, string]>, string]>) {
      c.send([['Action', 'Originate'], ...fields, ['ActionID', id]]);
      expect(await c.response(id)).toEqual([
        ['Response', 'Error'],
        ['ActionID', id],
        ['Message', msg],
      ]);
    }
  });

  it('a simulated PBX restart cuts every AMI connection; the listener stays up for reconnects', async () => {
    const engine = await start();
    const c = await loggedIn();
    engine.bus.emit({ ...at(), type: 'pbxRestarted' });
    await c.waitClosed();
    const again = await loggedIn();
    expect(again.closed).toBe(false);
  });
});
