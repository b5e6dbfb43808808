/**
 * The common Node AMI client, asterisk-manager 0.2.0, against the simulator's AMI: log in, actions,
 * events of a simulated call, an originate, logoff. Sites that use this client rather than the
 * project's own (src/telephony/ami) can rely on what is checked here. Its quirks, as measured: every key
 * is lowercased, an action has no timeout (so each await below has its own guard), an `Error` response
 * is handed to the callback as `err` unchanged, and its login sends `Event: on|off`, a header Asterisk
 * does not read (`Events:` is the one), so events flow whatever its events flag says.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AsteriskManager, { type Manager, type ManagerMessage } from 'asterisk-manager';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';

let sim: SimulatorHandle;
let dir: string;
const clock = new FakeClock(Date.UTC(2026, 11, 3, 8, 0, 0));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-asterisk-manager-'));
  sim = await startSimulator({
    ariUser: 'u',
    ariPassword: 'p',
    recordingsDir: dir,
    clock,
    ami: { user: 'cti', secret: 'cti-secret', authFailDelayMs: 0 },
  });
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** asterisk-manager never gives up on its own: fail the test instead of hanging it. */
function guarded<T>(what: string, run: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`asterisk-manager: no answer to ${what}`)), 5000);
    run(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

async function connectAndLogin(
  secret: string,
): Promise<{ manager: Manager; login: ManagerMessage | undefined; events: Array<ManagerMessage & { event: string }> }> {
  const manager = AsteriskManager(undefined, '127.0.0.1', 'cti', secret, true);
  const events: Array<ManagerMessage & { event: string }> = [];
  manager.on('managerevent', (e) => events.push(e));
  const login = await guarded<ManagerMessage | undefined>('Login', (resolve) =>
    manager.connect(sim.ami!.port, '127.0.0.1', () => manager.login((err) => resolve(err))),
  );
  return { manager, login, events };
}

const act = (manager: Manager, action: Record<string, string | boolean>) =>
  guarded<{ err: ManagerMessage | undefined; res: ManagerMessage }>(String(action['action']), (resolve) =>
    manager.action(action, (err, res) => resolve({ err, res })),
  );

async function eventually(what: string, cond: () => boolean): Promise<void> {
  // Simulator time is the FakeClock's; the sockets are real, so give them a turn between steps.
  for (let i = 0; i < 40 && !cond(); i++) {
    await clock.advanceAsync(250);
    await new Promise((r) => setTimeout(r, 5));
  }
  if (!cond()) throw new Error(`asterisk-manager never saw ${what}`);
}

test('a wrong secret: the login callback gets the raw error response and the simulator hangs up', async () => {
  const { manager, login } = await connectAndLogin('wrong');
  expect(login).toMatchObject({ response: 'Error', message: 'Authentication failed' });
  await eventually('the connection closed', () => !manager.isConnected());
  manager.disconnect();
});

test('asterisk-manager logs in, runs actions, receives the events of a call and an originate, and logs off', async () => {
  // Given a client logged in with the right secret,
  const { manager, login, events } = await connectAndLogin('cti-secret');
  expect(login).toBeUndefined();
  await eventually('FullyBooted', () => events.some((e) => e.event === 'FullyBooted'));

  // when it pings and asks the core status, then the answers come back with lowercased keys.
  const ping = await act(manager, { action: 'Ping' });
  expect(ping.err).toBeUndefined();
  expect(ping.res).toMatchObject({ response: 'Success', ping: 'Pong' });
  const core = await act(manager, { action: 'CoreStatus' });
  expect(core.res).toMatchObject({ response: 'Success', corecurrentcalls: '0' });
  // An action the simulator does not carry is an Error response, handed over as err.
  const unknown = await act(manager, { action: 'QueueStatus' });
  expect(unknown.err).toMatchObject({
    response: 'Error',
    message: expect.stringContaining('Invalid/unknown command: QueueStatus'),
  });

  // When a caller rings the hotline (no Stasis app is connected here, so the dialplan hangs it up),
  // then the call's events arrive: both Local halves, the caller id, the hang-ups.
  const call = sim.control.placeCall({ from: '13812341234', to: '12345' });
  await eventually('Hangup of the call', () =>
    events.some((e) => e.event === 'Hangup' && e['uniqueid'] === call.callerChannelId),
  );
  const created = events.find((e) => e.event === 'Newchannel' && e['uniqueid'] === call.callerChannelId)!;
  expect(created['channel']).toMatch(/^Local\/12345@cti-inbound-[0-9a-f]{8};1$/);
  const localPair = String(created['channel']).slice(0, -2); // both halves: ...;1 and ...;2
  const ofCall = events.filter((e) => typeof e['channel'] === 'string' && e['channel'].startsWith(localPair));
  expect(ofCall.find((e) => e.event === 'NewCallerid')).toMatchObject({ calleridnum: '13812341234' });
  expect(ofCall.filter((e) => e.event === 'Hangup').map((e) => e['channel'])).toEqual([
    expect.stringMatching(/;2$/),
    expect.stringMatching(/;1$/),
  ]);
  expect((await act(manager, { action: 'CoreStatus' })).res).toMatchObject({
    corecurrentcalls: '0',
    coreprocessedcalls: expect.stringMatching(/^[1-9]/),
  });

  // When it originates to an agent phone (answers after 2 s), then OriginateResponse says answered (4).
  const originate = await act(manager, {
    action: 'Originate',
    channel: 'Local/1001@agents',
    context: 'test',
    exten: '100',
    priority: '1',
    callerid: 'Queue <7000>',
    async: 'true',
  });
  expect(originate.res).toMatchObject({ response: 'Success', message: 'Originate successfully queued' });
  const actionId = originate.res['actionid'];
  await eventually('OriginateResponse', () =>
    events.some((e) => e.event === 'OriginateResponse' && e['actionid'] === actionId),
  );
  const outcome = events.find((e) => e.event === 'OriginateResponse' && e['actionid'] === actionId)!;
  expect(outcome).toMatchObject({ response: 'Success', reason: '4', calleridnum: '7000', calleridname: 'Queue' });
  expect(sim.engine.hangup(String(outcome['uniqueid']))).toBe(true);

  // When it logs off, then the simulator says goodbye and closes the connection.
  const closed = guarded<void>('close after Logoff', (resolve) => manager.once('close', () => resolve()));
  const bye = await act(manager, { action: 'Logoff' });
  expect(bye.res).toMatchObject({ response: 'Goodbye' });
  await closed;
  expect(manager.isConnected()).toBe(false);

  await clock.advanceAsync(5000);
  expect(sim.leaks().ok).toBe(true);
});
