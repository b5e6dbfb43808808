import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { getHeader } from '../../src/shared/ami-codec.ts';
import { AmiClient } from '../../src/telephony/ami/ami-client.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import { RawAmiClient } from './raw-ami-client.ts';

describe('startSimulator({ ami })', () => {
  it('serves AMI beside ARI, renders the calls the simulator carries, and stops with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-ami-'));
    const sim = await startSimulator({
      ariUser: 'u',
      ariPassword: 'p',
      recordingsDir: dir,
      ami: { user: 'cti', secret: 'cti' },
    });
    try {
      expect(sim.ami?.host).toBe('127.0.0.1');
      const c = await RawAmiClient.connect(sim.ami!.port);
      c.send([
        ['Action', 'Login'],
        ['Username', 'cti'],
        ['Secret', 'cti'],
        ['ActionID', 'l'],
      ]);
      expect(getHeader(await c.response('l'), 'Message')).toBe('Authentication accepted');
      const call = sim.control.placeCall({ from: '13812341234', to: '12345' });
      const created = await c.waitFor(
        (m) => getHeader(m, 'Event') === 'Newchannel' && getHeader(m, 'Uniqueid') === call.callerChannelId,
        'Newchannel of the placed call',
      );
      expect(getHeader(created, 'Channel')).toMatch(/^Local\/12345@cti-inbound-[0-9a-f]{8};1$/);
      sim.control.hangupCall(call.callerChannelId);
      await c.waitFor(
        (m) => getHeader(m, 'Event') === 'Hangup' && getHeader(m, 'Uniqueid') === call.callerChannelId,
        'Hangup',
      );
      c.close();
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
    // Closed with the simulator: nobody listens on the AMI port any more.
    await expect(RawAmiClient.connect(sim.ami!.port)).rejects.toThrow();
  });

  it('without the option there is no AMI endpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-noami-'));
    const sim = await startSimulator({ ariUser: 'u', ariPassword: 'p', recordingsDir: dir });
    expect(sim.ami).toBeUndefined();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('AMI adapter against the simulator', () => {
  it('a simulated PBX restart drops AMI; the adapter reconnects and logs in again by itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-ami-restart-'));
    const sim = await startSimulator({
      ariUser: 'u',
      ariPassword: 'p',
      recordingsDir: dir,
      ami: { user: 'cti', secret: 'cti' },
    });
    const clock = new FakeClock();
    const messages: string[] = [];
    const log = (_: object, msg: string) => void messages.push(msg);
    const client = new AmiClient({
      host: '127.0.0.1',
      port: sim.ami!.port,
      user: 'cti',
      secret: 'cti',
      clock,
      logger: { info: log, warn: log, error: log },
      heartbeatMs: 0,
      random: () => 0,
    });
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(cond()).toBe(true);
    };
    try {
      client.start();
      await until(() => client.state === 'ready');
      sim.faults.restart();
      await until(() => client.state === 'backoff');
      await clock.advanceAsync(250);
      await until(() => client.state === 'ready');
      expect(messages).toEqual([
        'AMI connected and logged in',
        'AMI: connection closed by Asterisk; retrying in 250 ms',
        'AMI reconnected and logged in',
      ]);
      expect((await client.ping())['ping']).toBe('Pong');
    } finally {
      client.stop();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AMI Originate on the simulator engine', () => {
  it('an answered originate gives OriginateResponse Success/4; a busy phone Failure/5', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-ami-orig-'));
    const clock = new FakeClock();
    const sim = await startSimulator({
      ariUser: 'u',
      ariPassword: 'p',
      recordingsDir: dir,
      clock,
      ami: { user: 'cti', secret: 'cti' },
    });
    const c = await RawAmiClient.connect(sim.ami!.port);
    try {
      c.send([
        ['Action', 'Login'],
        ['Username', 'cti'],
        ['Secret', 'cti'],
        ['ActionID', 'l'],
      ]);
      await c.response('l');
      c.send([
        ['Action', 'Originate'],
        ['Channel', 'Local/1001@agents'],
        ['Context', 'test'],
        ['Exten', '100'],
        ['Priority', '1'],
        ['CallerID', 'Queue <7000>'],
        ['Async', 'true'],
        ['ActionID', 'ok'],
      ]);
      expect(getHeader(await c.response('ok'), 'Message')).toBe('Originate successfully queued');
      await new Promise((r) => setTimeout(r, 20));
      expect(c.received.some((m) => getHeader(m, 'Event') === 'OriginateResponse')).toBe(false);
      // The default agent phone answers after 2 s of simulator time.
      for (let i = 0; i < 10 && !c.received.some((m) => getHeader(m, 'Event') === 'OriginateResponse'); i++) {
        await clock.advanceAsync(500);
        await new Promise((r) => setTimeout(r, 10));
      }
      const ok = await c.waitFor(
        (m) => getHeader(m, 'Event') === 'OriginateResponse' && getHeader(m, 'ActionID') === 'ok',
        'OriginateResponse ok',
      );
      expect([
        getHeader(ok, 'Response'),
        getHeader(ok, 'Reason'),
        getHeader(ok, 'CallerIDNum'),
        getHeader(ok, 'CallerIDName'),
      ]).toEqual(['Success', '4', '7000', 'Queue']);
      const id = getHeader(ok, 'Uniqueid')!;
      expect(sim.engine.getChannel(id)?.state).toBe('Up');
      expect(sim.engine.hangup(id)).toBe(true);

      sim.control.setPhone('1002', { busy: true });
      c.send([
        ['Action', 'Originate'],
        ['Channel', 'Local/1002@agents'],
        ['Context', 'test'],
        ['Exten', '100'],
        ['Async', 'true'],
        ['ActionID', 'busy'],
      ]);
      await c.response('busy');
      for (
        let i = 0;
        i < 10 &&
        !c.received.some((m) => getHeader(m, 'ActionID') === 'busy' && getHeader(m, 'Event') === 'OriginateResponse');
        i++
      ) {
        await clock.advanceAsync(500);
        await new Promise((r) => setTimeout(r, 10));
      }
      const busy = await c.waitFor(
        (m) => getHeader(m, 'Event') === 'OriginateResponse' && getHeader(m, 'ActionID') === 'busy',
        'OriginateResponse busy',
      );
      expect([getHeader(busy, 'Response'), getHeader(busy, 'Reason')]).toEqual(['Failure', '5']);
      await clock.advanceAsync(5000);
      await new Promise((r) => setTimeout(r, 20));
      expect(sim.leaks()).toMatchObject({ ok: true });
    } finally {
      c.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
