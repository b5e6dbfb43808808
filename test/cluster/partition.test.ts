import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, partitionableProxy } from './cluster-harness.ts';

describe('a partitioned owner (its database connection cut)', () => {
  let c: Cluster | undefined;
  let proxy: Awaited<ReturnType<typeof partitionableProxy>> | undefined;
  afterEach(async () => {
    if (process.env.CLUSTER_DEBUG) c?.dump();
    proxy?.close();
    await c?.stop();
    c = undefined;
  });

  it('stops commanding the PBX before the new owner starts, then leaves so it can come back as a standby', async () => {
    // Given A owning the calls through a database link that can be cut, and B standing by
    c = await Cluster.start();
    proxy = await partitionableProxy(c.dbUrl);
    const a = await c.spawn('a', { dbUrl: proxy.url });
    await c.until(async () => (await c!.health(a)).telephony.connected, 'A connected to ARI');
    const b = await c.spawn('b');
    // a caller in the menu, so there is a call to command
    const placed = c.sim.control.placeCall({ from: '13812340000', to: '12345' });
    await new Promise((r) => setTimeout(r, 500));

    // When A's database goes silent (no reset: the packets are dropped)
    const cutAt = Date.now();
    proxy.cut();
    await c.until(
      async () => {
        const h = await c!.health(b);
        return h.telephony.owner && h.telephony.connected;
      },
      'B owns the calls',
      15_000,
      10,
    );

    // Then A fenced itself (no ARI request after that moment) before B took the lease
    const fencedAt = a.lines().find((l) => l.msg === 'call ownership lost: ARI requests fenced')?.time as number;
    const acquiredAt = b.lines().find((l) => l.msg === 'call ownership acquired: connecting to ARI')?.time as number;
    expect(fencedAt).toBeGreaterThan(cutAt);
    expect(acquiredAt).toBeGreaterThan(fencedAt);
    console.log(
      `partition: A fenced ${fencedAt - cutAt} ms after the cut, B took over ${acquiredAt - fencedAt} ms later`,
    );
    // and A stopped (exit 75) so that its supervisor restarts it as a clean standby
    expect(await a.exited).toBe(75);
    // B carries the caller on
    expect(c.sim.control.state().channels.some((ch) => ch.id === placed.callerChannelId)).toBe(true);
    c.sim.control.hangupCall(placed.callerChannelId);
    await c.until(() => c!.sim.leaks().ok, 'PBX clean');
    expect(c.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  }, 180_000);
});
