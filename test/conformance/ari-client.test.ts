/**
 * The ecosystem's standard client, ari-client 2.2.0, against the simulator: it loads the generated
 * api-docs, opens the WebSocket, originates, bridges and receives events. (Real clock: ari-client has its
 * own timers; the scenario uses AGENT_DELAY=0 so nothing waits.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import ari from 'ari-client';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';

let sim: SimulatorHandle;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-ari-client-'));
  sim = await startSimulator({ ariUser: 'cti', ariPassword: 'cti', recordingsDir: dir });
  sim.engine.setGlobalVar('AGENT_DELAY', '0');
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test('ari-client connects, originates, bridges and receives events', async () => {
  const client = await ari.connect(`http://127.0.0.1:${sim.port}`, 'cti', 'cti');
  const seen: string[] = [];
  client.on('*' as never, ((event: { type: string }) => seen.push(event.type)) as never);
  const started = new Map<string, { id: string; args: string[] }>();
  const waiters: Array<() => void> = [];
  client.on('StasisStart', (event, channel) => {
    started.set(channel.id, { id: channel.id, args: ([] as string[]).concat(event.args) });
    for (const w of waiters.splice(0)) w();
  });
  const untilStarted = (id: string) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no StasisStart for ${id}; saw ${seen.join(',')}`)), 5000);
      const check = () => {
        if (started.has(id)) {
          clearTimeout(t);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  await new Promise<void>((resolve) => {
    client.once('WebSocketConnected' as never, (() => resolve()) as never);
    void client.start('cti-test');
  });

  // The customer calls in; the PBX half enters Stasis with the reference's args.
  const caller = await client.channels.originate({
    endpoint: 'Local/300@cti-inbound',
    context: 'test',
    extension: '300',
    callerId: 'Customer 300 <555300>',
  });
  expect(caller.name).toMatch(/^Local\/300@cti-inbound-[0-9a-f]{8};1$/);
  const pbxId = sim.engine.localPeer(caller.id) ?? '';
  await untilStarted(pbxId);
  expect(started.get(pbxId)?.args).toEqual(['inbound', '300']);
  await client.channels.answer({ channelId: pbxId });

  const bridge = await client.bridges.create({ type: 'mixing', bridgeId: 'br-ari-client', name: 'call' });
  expect(bridge.technology).toBe('simple_bridge');
  await client.bridges.addChannel({ bridgeId: bridge.id, channel: pbxId });

  // The agent is originated into the app and answers at once (AGENT_DELAY=0).
  await client.channels.originate({
    endpoint: 'Local/1001@agents',
    app: 'cti-test',
    appArgs: 'agent,1001',
    channelId: 'agent-ac',
    otherChannelId: 'agent-ac-2',
  });
  await untilStarted('agent-ac');
  await client.bridges.addChannel({ bridgeId: bridge.id, channel: 'agent-ac' });
  const got = await client.bridges.get({ bridgeId: bridge.id });
  expect(([] as string[]).concat(got.channels).sort()).toEqual([pbxId, 'agent-ac'].sort());

  const ended = new Promise<void>((resolve) => client.on('StasisEnd', (_e, ch) => ch.id === 'agent-ac' && resolve()));
  await client.channels.hangup({ channelId: pbxId });
  await client.channels.hangup({ channelId: 'agent-ac' });
  await ended;
  await client.bridges.destroy({ bridgeId: bridge.id });
  await new Promise((r) => setTimeout(r, 50));

  for (const type of [
    'StasisStart',
    'ChannelEnteredBridge',
    'Dial',
    'ChannelLeftBridge',
    'StasisEnd',
    'ChannelDestroyed',
    'BridgeDestroyed',
  ])
    expect(seen).toContain(type);
  expect(sim.leaks().ok).toBe(true);
  client.stop();
});
