import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/demo/demo-traffic.ts';
import { assertDemoAllowed, demoSettings, startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { UiServer } from '../ui/ui-server.ts';

describe('demo traffic on the simulator (issue 13 item 6)', () => {
  let ui: UiServer;
  let demo: RunningDemo;

  beforeAll(async () => {
    ui = await UiServer.start();
  }, 60_000);

  afterAll(async () => {
    demo?.stop();
    if (ui) {
      // Every simulated caller hangs up; the PBX must be left with nothing (leak check).
      for (const c of ui.sim.control.state().channels) ui.sim.engine.hangup(c.id);
      await ui.until('PBX clean', async () => ui.sim.leaks().ok, { maxMs: 30_000 });
      expect(ui.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
      await ui.close();
    }
  }, 60_000);

  it('a newcomer sees the wallboard alive within a minute: calls offered and answered, agents at work', {
    timeout: 120_000,
  }, async () => {
    // Given `npm start -- --demo` on the built-in simulator.
    demo = await startDemo(ui.server, { callsPerMinute: 20, random: seededRandom(13) });
    // Then the accounts are printed, passwords included.
    expect(demo.banner).toContain('/ui/supervisor');
    for (const a of demo.accounts) expect(demo.banner).toContain(`${a.username}`);
    expect(demo.accounts.map((a) => a.role).sort()).toEqual(
      [
        'admin',
        'supervisor',
        'agent',
        'agent',
        'agent',
        'agent',
        'unit_handler',
        'unit_handler',
        'unit_handler',
        'unit_handler',
      ].sort(),
    );
    const figures = () => ui.server.callLayer.figures.current();
    expect(
      figures()
        .agentList.map((a) => a.agentId)
        .sort(),
    ).toEqual(['demo-agent1', 'demo-agent2', 'demo-agent3', 'demo-agent4']);
    // When a minute of (fake) time passes, the wallboard's figures are moving.
    await ui.until('a call answered', async () => figures().today.answered > 0, { stepMs: 250, maxMs: 60_000 });
    expect(figures().today.offered).toBeGreaterThan(0);
    expect(figures().today.ivr.arrived).toBeGreaterThanOrEqual(2);
  });

  it('agents write orders from their calls and units sign and reply to them', { timeout: 240_000 }, async () => {
    await ui.until('an order signed by a unit', async () => demo.traffic.counts.signed > 0, {
      stepMs: 500,
      maxMs: 5 * 60_000,
    });
    expect(demo.traffic.counts.placed).toBeGreaterThan(5);
    const orders = await ui.server.workOrders.repo.list({ limit: 50, includeConfidential: true });
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.some((o) => o.channel === 'phone')).toBe(true);
  });
});

describe('demo settings', () => {
  it('is off unless --demo or DEMO=1, and refuses a bad rate naming the setting', () => {
    expect(demoSettings([], {})).toBeNull();
    expect(demoSettings(['--demo'], {})).toEqual({ callsPerMinute: 6 });
    expect(demoSettings([], { DEMO: '1', DEMO_CALLS_PER_MINUTE: '30' })).toEqual({ callsPerMinute: 30 });
    expect(() => demoSettings(['--demo'], { DEMO_CALLS_PER_MINUTE: 'lots' })).toThrow(/DEMO_CALLS_PER_MINUTE/);
  });

  it('is refused with a real Asterisk', () => {
    expect(() => assertDemoAllowed('asterisk')).toThrow(/only on the built-in PBX simulator.*ASTERISK_ARI_URL/);
    expect(() => assertDemoAllowed('simulator')).not.toThrow();
  });
});
