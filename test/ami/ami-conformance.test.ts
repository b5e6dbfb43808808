import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeClock } from '../../src/shared/clock.ts';
import { startAmiServer, type AmiServerHandle } from '../../src/simulator/ami-server.ts';
import { getHeader, type AmiMessage } from '../../src/shared/ami-codec.ts';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { RawAmiClient } from './raw-ami-client.ts';
import {
  bridgeLives,
  channelLives,
  eventName,
  fieldSets,
  keysOf,
  normaliseChannelName,
  readReferenceEvents,
} from './reference-stream.ts';

/**
 * AMI conformance: scenarios 03, 04 and 06 of the reference are driven through the simulator over ARI
 * (the same REST calls the capture made), and the AMI stream the simulator's AMI server sends meanwhile
 * is compared with the stream the real Asterisk 22.10.1 sent: the event names, the field list of every
 * event (names and order), the life of every channel (states, bridge enter/leave, dial outcomes, hangup
 * cause) and of every bridge (channel counts and technology at each step).
 */

const FIXTURES = join(import.meta.dirname, '../fixtures/asterisk-reference/ami');
const APP = 'cti-test';

/**
 * Events of the captures that come from the capture machine's own configuration, not from the scenario:
 * its queue `support` had Local/1001@agents as a static member (QueueMemberStatus), and its device-state
 * events depend on hints. Neither exists in the simulator.
 */
const NOT_SIMULATED = new Set(['QueueMemberStatus', 'DeviceStateChange']);

let clock: FakeClock;
let sim: SimulatorHandle;
let ami: AmiServerHandle;
let ws: WebSocket;
let recordingsDir: string;
const stasis: Array<Record<string, unknown>> = [];

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await clock.advanceAsync(0);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function advance(ms: number): Promise<void> {
  const step = 250;
  for (let t = 0; t < ms; t += step) {
    await clock.advanceAsync(Math.min(step, ms - t));
    await settle();
  }
}

async function ari(
  method: string,
  path: string,
  query: Record<string, string | number> = {},
): Promise<{ status: number; body: unknown }> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await fetch(`${sim.ariUrl}${path}${qs ? `?${qs}` : ''}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from('cti:cti').toString('base64')}` },
  });
  const text = await res.text();
  await settle();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function stasisStartFor(pred: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const found = stasis.find(pred);
    if (found) return found;
    await settle();
  }
  throw new Error('StasisStart not received');
}

async function amiSession(): Promise<RawAmiClient> {
  const c = await RawAmiClient.connect(ami.port);
  c.send([
    ['Action', 'Login'],
    ['Username', 'cti'],
    ['Secret', 'cti'],
    ['Events', 'on'],
    ['ActionID', 'login-1'],
  ]);
  await c.response('login-1');
  return c;
}

/** Captures the AMI events sent while `run` drives a scenario. */
async function capture(run: () => Promise<void>): Promise<AmiMessage[]> {
  const c = await amiSession();
  await settle();
  await run();
  await advance(3000);
  const events = c.received.filter((m) => getHeader(m, 'Event') !== undefined);
  c.close();
  expect(sim.leaks().ok).toBe(true);
  return events;
}

function compare(scenario: number, got: AmiMessage[]): void {
  if (process.env.AMI_DEBUG) debugDiff(scenario, got);
  const reference = readReferenceEvents(join(FIXTURES, `ami-scenario${scenario}.txt`)).filter(
    (m) => !NOT_SIMULATED.has(eventName(m)),
  );
  const simulated = got.filter((m) => !NOT_SIMULATED.has(eventName(m)));
  const refFields = fieldSets(reference);
  const simFields = fieldSets(simulated);
  // Same event names...
  expect([...simFields.keys()].sort()).toEqual([...refFields.keys()].sort());
  // ...each with the same fields in the same order.
  for (const [name, keys] of refFields) expect({ name, keys: simFields.get(name) }).toEqual({ name, keys });
  expect(Object.fromEntries(channelLives(simulated))).toEqual(Object.fromEntries(channelLives(reference)));
  expect(Object.fromEntries(bridgeLives(simulated))).toEqual(Object.fromEntries(bridgeLives(reference)));
  // Every event carries the Privilege the reference gives that event name.
  const privilege = new Map(reference.map((m) => [eventName(m), getHeader(m, 'Privilege')]));
  for (const m of simulated)
    expect({ e: eventName(m), p: getHeader(m, 'Privilege') }).toEqual({
      e: eventName(m),
      p: privilege.get(eventName(m)),
    });
  expect(keysOf(simulated[0]!)).toEqual(keysOf(reference[0]!));
  // How many of each event per channel: equal, except the documented engine gaps.
  expect(countDifferences(reference, simulated)).toEqual([]);
}

/** One event as `Name channel detail`, channel names normalised: the unit of the count comparison. */
const line = (m: AmiMessage): string =>
  `${eventName(m)} ${normaliseChannelName(getHeader(m, 'Channel') ?? getHeader(m, 'DestChannel') ?? getHeader(m, 'BridgeUniqueid') ?? '')} ${getHeader(m, 'Variable') ?? getHeader(m, 'Application') ?? getHeader(m, 'Cause') ?? ''}`;

/**
 * Events the real Asterisk sends that the simulator engine does not publish (yet), with how many of each
 * may be missing. Found by this test; the engine (src/simulator/engine.ts) owns them. Anything else missing,
 * and anything extra, fails the test.
 *  - the `;1` half of a Local pair: Newexten `AppDial2 (Outgoing Line)`, its NewCallerid/NewConnectedLine at
 *    creation, and the NewCallerid Asterisk sends when its partner hangs up;
 *  - the inbound `;2` half: the second SoftHangupRequest (cause 16) after STASISSTATUS=SUCCESS;
 *  - scenario 06's create+dial agent `;2`: VarSet STASISSTATUS and a NewCallerid.
 */
const KNOWN_ENGINE_GAPS: Array<{ pattern: RegExp; mayMiss: number }> = [
  { pattern: /^Newexten Local\/\S+;1 AppDial2$/, mayMiss: 1 },
  { pattern: /^NewCallerid Local\/\S+;1 $/, mayMiss: 2 },
  { pattern: /^NewConnectedLine Local\/\S+;1 $/, mayMiss: 1 },
  { pattern: /^SoftHangupRequest Local\/\S+@cti-inbound;2 16$/, mayMiss: 1 },
  { pattern: /^VarSet Local\/1003@agents-noanswer;2 STASISSTATUS$/, mayMiss: 1 },
  { pattern: /^NewCallerid Local\/1003@agents-noanswer;2 $/, mayMiss: 1 },
];

function countDifferences(reference: AmiMessage[], simulated: AmiMessage[]): string[] {
  const count = (list: AmiMessage[]) => {
    const m = new Map<string, number>();
    for (const e of list) m.set(line(e), (m.get(line(e)) ?? 0) + 1);
    return m;
  };
  const ref = count(reference);
  const sim = count(simulated);
  const problems: string[] = [];
  for (const key of new Set([...ref.keys(), ...sim.keys()])) {
    const missing = (ref.get(key) ?? 0) - (sim.get(key) ?? 0);
    if (missing === 0) continue;
    const gap = KNOWN_ENGINE_GAPS.find((g) => g.pattern.test(key));
    if (missing > 0 && gap && missing <= gap.mayMiss) continue;
    problems.push(`${key}: reference ${ref.get(key) ?? 0}, simulator ${sim.get(key) ?? 0}`);
  }
  return problems.sort();
}

function debugDiff(scenario: number, got: AmiMessage[]): void {
  const ref = readReferenceEvents(join(FIXTURES, `ami-scenario${scenario}.txt`));
  console.log(
    `--- reference ${scenario}\n${ref
      .filter((m) => !NOT_SIMULATED.has(eventName(m)))
      .map(line)
      .join('\n')}\n--- simulated\n${got.map(line).join('\n')}`,
  );
}

async function inboundCaller(n: number): Promise<{ customer: string; caller: string }> {
  const before = stasis.length;
  const res = await ari('POST', '/channels', {
    endpoint: `Local/${n}@cti-inbound`,
    context: 'test',
    extension: n,
    priority: 1,
    callerId: `Customer ${n} <555${n}>`,
    timeout: 30,
  });
  expect(res.status).toBe(200);
  const customer = (res.body as { id: string }).id;
  const start = await stasisStartFor((e) => stasis.indexOf(e) >= before && (e['args'] as string[])[0] === 'inbound');
  return { customer, caller: (start['channel'] as { id: string }).id };
}

beforeAll(async () => {
  clock = new FakeClock(Date.UTC(2026, 10, 25, 22, 26, 34));
  recordingsDir = mkdtempSync(join(tmpdir(), 'ami-conf-'));
  sim = await startSimulator({ ariUser: 'cti', ariPassword: 'cti', clock, recordingsDir, inboundApp: APP });
  ami = await startAmiServer({ engine: sim.engine, user: 'cti', secret: 'cti', clock, authFailDelayMs: 0 });
  ws = new WebSocket(`${sim.wsUrl}?app=${APP}&api_key=cti:cti`);
  ws.on('message', (data) => {
    const e = JSON.parse(String(data)) as Record<string, unknown>;
    if (e['type'] === 'StasisStart') stasis.push(e);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await settle();
});

afterAll(async () => {
  ws?.close();
  await ami?.close();
  await sim?.close();
  rmSync(recordingsDir, { recursive: true, force: true });
});

describe('simulator AMI matches the real Asterisk 22 AMI streams', () => {
  it('scenario 03: caller bridged with hold music, agent originated into the app, bridged, both hung up', async () => {
    const got = await capture(async () => {
      const { caller } = await inboundCaller(300);
      await ari('POST', `/channels/${caller}/answer`);
      await ari('POST', '/bridges', { type: 'mixing', name: 'call-300', bridgeId: 'br-300' });
      await ari('POST', '/bridges/br-300/addChannel', { channel: caller });
      await ari('POST', '/bridges/br-300/moh', { mohClass: 'default' });
      await ari('POST', '/channels', {
        endpoint: 'Local/1001@agents',
        app: APP,
        appArgs: 'agent,1001',
        callerId: 'Queue <7000>',
        timeout: 30,
        channelId: 'agent-300',
        otherChannelId: 'agent-300-2',
      });
      await advance(2000);
      await stasisStartFor((e) => (e['channel'] as { id: string }).id === 'agent-300');
      await ari('DELETE', '/bridges/br-300/moh');
      await ari('POST', '/bridges/br-300/addChannel', { channel: 'agent-300' });
      await advance(2000);
      await ari('DELETE', `/channels/${caller}`, { reason: 'normal' });
      await ari('DELETE', '/channels/agent-300');
      await ari('DELETE', '/bridges/br-300');
    });
    compare(3, got);
  });

  it('scenario 04: three-party bridge (softmix), agent removed, everyone hung up', async () => {
    const got = await capture(async () => {
      const { caller } = await inboundCaller(400);
      await ari('POST', `/channels/${caller}/answer`);
      await ari('POST', '/bridges', { type: 'mixing,dtmf_events', name: 'conf-400', bridgeId: 'br-400' });
      await ari('POST', '/bridges/br-400/addChannel', { channel: caller });
      await ari('POST', '/channels', {
        endpoint: 'Local/1001@agents',
        app: APP,
        appArgs: 'agent,1001',
        callerId: 'Queue <7000>',
        timeout: 30,
        channelId: 'agent-400',
        otherChannelId: 'agent-400-2',
      });
      await advance(2000);
      await stasisStartFor((e) => (e['channel'] as { id: string }).id === 'agent-400');
      await ari('POST', '/bridges/br-400/addChannel', { channel: 'agent-400' });
      await advance(1000);
      await ari('POST', '/channels', {
        endpoint: 'Local/1002@agents',
        app: APP,
        appArgs: 'third,1002',
        callerId: 'Queue <7000>',
        timeout: 30,
        channelId: 'third-400',
        otherChannelId: 'third-400-2',
      });
      await advance(2000);
      await stasisStartFor((e) => (e['channel'] as { id: string }).id === 'third-400');
      await ari('POST', '/bridges/br-400/addChannel', { channel: 'third-400', role: 'participant' });
      await advance(1000);
      await ari('POST', '/bridges/br-400/removeChannel', { channel: 'agent-400' });
      await ari('DELETE', '/channels/agent-400');
      await advance(1000);
      await ari('DELETE', '/channels/third-400');
      await ari('DELETE', `/channels/${caller}`);
      await ari('DELETE', '/bridges/br-400');
    });
    compare(4, got);
  });

  it('scenario 06: abandon while the agent rings (create+dial, then originate-to-app)', async () => {
    const got = await capture(async () => {
      const a = await inboundCaller(600);
      await ari('POST', `/channels/${a.caller}/answer`);
      await ari('POST', '/bridges', { type: 'mixing', bridgeId: 'br-600' });
      await ari('POST', '/bridges/br-600/addChannel', { channel: a.caller });
      await ari('POST', '/bridges/br-600/moh');
      await ari('POST', '/channels/create', {
        endpoint: 'Local/1003@agents-noanswer',
        app: APP,
        appArgs: 'agent',
        channelId: 'agent-600',
        otherChannelId: 'agent-600-2',
      });
      await ari('POST', '/channels/agent-600/dial', { caller: a.caller, timeout: 30 });
      await advance(2500);
      await ari('DELETE', `/channels/${a.customer}`);
      await ari('DELETE', '/channels/agent-600');
      await ari('DELETE', '/bridges/br-600');
      await advance(1000);
      const b = await inboundCaller(610);
      await ari('POST', `/channels/${b.caller}/answer`);
      await ari('POST', '/channels', {
        endpoint: 'Local/1004@agents-noanswer',
        app: APP,
        appArgs: 'agent',
        channelId: 'agent-610',
        otherChannelId: 'agent-610-2',
        timeout: 30,
      });
      await advance(2000);
      await ari('DELETE', `/channels/${b.customer}`);
      await ari('DELETE', '/channels/agent-610', { reason_code: '26' });
    });
    compare(6, got);
  });
});
