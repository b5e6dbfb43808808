import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, Cluster } from './cluster-harness.ts';

/** Today's date in Asia/Shanghai (the instances run on the real clock). */
const shanghaiToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

async function token(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe('the leader rota with several instances', () => {
  let c: Cluster | undefined;
  afterEach(async () => {
    if (process.env.CLUSTER_DEBUG) c?.dump();
    await c?.stop();
    c = undefined;
  });

  it('given A owning the calls and B standing by, when an admin puts a leader on the rota through B, then the call domain of A has the span', async () => {
    // Given A owning the calls and B standing by, and a leader's account
    c = await Cluster.start();
    const a = await c.spawn('a');
    await c.until(async () => (await c!.health(a)).telephony.owner, 'A owns the calls');
    const b = await c.spawn('b');
    await c.createAgents(a, ['li.leader']);
    const admin = await token(b.url, ADMIN.username, ADMIN.password);
    // When the admin adds the leader for the whole of today through B
    const res = await fetch(`${b.url}/rota`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        date: shanghaiToday(),
        startTime: '00:00',
        endTime: '24:00',
        username: 'li.leader',
        seat: '8001',
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    // Then A, which decides the calls, shows the leader on duty (its domain has the span)
    const rotaOn = async (url: string) =>
      (
        (await (await fetch(`${url}/calls/live`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
          rota: Array<{ agentId: string; seat: string }>;
        }
      ).rota.map((r) => `${r.agentId} ${r.seat}`);
    await c.until(async () => (await rotaOn(a.url)).length > 0, 'the span on A', 10_000, 100);
    expect(await rotaOn(a.url)).toEqual(['li.leader 8001']);
    expect(await rotaOn(b.url)).toEqual(['li.leader 8001']);
    // (the PBX had no call)
    expect(c.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  }, 300_000);
});
