import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, type DataLayout } from './cluster-harness.ts';

// Both layouts of test/cluster/cluster-harness.ts: one shared SQLite file, or each instance its own DATA_DIR with
// the store on the PostgreSQL (DATABASE_URL) and a shared RECORDINGS_DIR.
describe.each(['shared', 'per-instance'] as DataLayout[])(
  'two instances on one PostgreSQL (%s data): desktops on either, calls owned by one',
  (layout) => {
    let c: Cluster | undefined;
    afterEach(async () => {
      if (process.env.CLUSTER_DEBUG) c?.dump();
      await c?.stop();
      c = undefined;
    });

    it('an agent on the standby signs in through the owner, gets the screen-pop the owner decided, and hangs up through it', async () => {
      // Given two instances, A started first and owning the calls, B standing by
      c = await Cluster.start({ layout });
      const a = await c.spawn('a');
      await c.until(async () => (await c!.health(a)).telephony.connected, 'A connected to ARI');
      const b = await c.spawn('b');
      expect((await c.health(a)).telephony).toMatchObject({ owner: true, connected: true });
      expect(await c.health(b)).toMatchObject({ status: 'ok', telephony: { owner: false, connected: false } });
      await c.createAgents(a, ['agent-b1']);
      c.sim.control.setPhone('2001', { answerAfterMs: 300 });

      // When an agent whose desktop is on B signs in (relayed to A, the same acknowledgement as on one instance)
      const desk = await c.desktop(b, 'agent-b1');
      expect(desk.last('current-call')).toBeNull();
      expect(await desk.call('sign-in', { extension: '2001', skills: ['mandarin'] })).toEqual({ ok: true });
      // A refusal comes back worded as on one instance
      const refused = await desk.call('sign-in', { extension: 'x', skills: ['mandarin'] });
      expect(refused).toMatchObject({ ok: false, error: { statusCode: 400, code: 'invalid-extension' } });

      // and a caller comes in: A decides the offer, B's desktop gets the pop
      const placed = c.sim.control.placeCall({ from: '13812345678', to: '12345' });
      await desk.until(() => desk.received('screen-pop').length === 1, 60_000);
      const pop = desk.last('screen-pop');
      expect(pop.callerNumber ?? pop.caller).toBeDefined();
      await desk.until(
        () => desk.received('call-update').some((u: any) => u.callId === pop.callId && u.state === 'answered'),
        20_000,
      );

      // Then the agent's hangup on B is executed by A: the caller's channel is gone from the PBX
      expect(await desk.call('hangup')).toEqual({ ok: true });
      await c.until(
        () => !c!.sim.control.state().channels.some((ch) => ch.id === placed.callerChannelId),
        'caller hung up by the owner',
      );
      await c.until(() => c!.sim.leaks().ok, 'PBX clean');
      expect(c.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
    }, 180_000);
  },
);
