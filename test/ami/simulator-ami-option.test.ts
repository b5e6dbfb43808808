import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getHeader } from '../../src/simulator/ami/ami-codec.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import { RawAmiClient } from './raw-ami-client.ts';

describe('startSimulator({ ami })', () => {
  it('serves AMI beside ARI, renders the calls the simulator carries, and stops with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-ami-'));
    const sim = await startSimulator({ ariUser: 'u', ariPassword: 'p', recordingsDir: dir, ami: { user: 'cti', secret: 'cti' } });
    try {
      expect(sim.ami?.host).toBe('127.0.0.1');
      const c = await RawAmiClient.connect(sim.ami!.port);
      c.send([['Action', 'Login'], ['Username', 'cti'], ['Secret', 'cti'], ['ActionID', 'l']]);
      expect(getHeader(await c.response('l'), 'Message')).toBe('Authentication accepted');
      const call = sim.control.placeCall({ from: '13812341234', to: '12345' });
      const created = await c.waitFor((m) => getHeader(m, 'Event') === 'Newchannel' && getHeader(m, 'Uniqueid') === call.callerChannelId, 'Newchannel of the placed call');
      expect(getHeader(created, 'Channel')).toMatch(/^Local\/12345@cti-inbound-[0-9a-f]{8};1$/);
      sim.control.hangupCall(call.callerChannelId);
      await c.waitFor((m) => getHeader(m, 'Event') === 'Hangup' && getHeader(m, 'Uniqueid') === call.callerChannelId, 'Hangup');
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
