import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallerHistorySource } from '../../src/calls/caller-history.ts';
import { readWavInfo } from '../../src/recordings/wav-info.ts';
import { Harness } from './harness.ts';

const history: CallerHistorySource = {
  ordersByPhone: async (phone) =>
    phone === '13812341234'
      ? [
          {
            id: '7',
            number: '7',
            title: 'noise',
            category: 'noise',
            status: 'closed',
            open: false,
            confidential: false,
            createdAt: Date.UTC(2025, 10, 1),
            unitIds: [],
          },
          {
            id: '9',
            number: '9',
            title: 'water cut',
            category: 'water',
            status: 'dispatched',
            open: true,
            confidential: false,
            createdAt: Date.UTC(2025, 11, 20),
            unitIds: ['u1'],
          },
        ]
      : [],
  ticketStatus: async () => null,
  orderFacts: async () => null,
};

describe('agent desktop and recordings on the simulator', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('the screen-pop reaches only the offered agent, masked, with history newest first and a draft', async () => {
    h = await Harness.start({ history });
    const offered = await h.agent('a1', '1001', { answerAfterMs: 3000 });
    const other = await h.agent('a2', '1002', { answerAfterMs: 3000 });
    // a2 is paused, so only a1 can be offered the call.
    expect(await other.call('pause', { reason: 'LUNCH' })).toEqual({ ok: true });
    const bystander = await h.desktop('a3');
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => offered.received('screen-pop').length > 0, 'pop');
    const pop = offered.last('screen-pop');
    // While the phone rings: the pop is there, the call is not answered yet.
    expect(offered.received('call-update').some((u: any) => u.state === 'answered')).toBe(false);
    expect(pop.callerNumber).toBe('138****1234');
    expect(JSON.stringify(pop)).not.toContain('13812341234');
    expect(pop.skill).toBe('mandarin');
    expect(pop.repeatCaller).toBe(true);
    expect(pop.priority).toBeGreaterThan(0);
    expect(pop.ivrPath.length).toBeGreaterThan(0);
    expect(pop.waitedMs).toBe(pop.offeredAt - pop.ivrExitAt);
    expect(pop.history.map((o: any) => [o.number, o.open])).toEqual([
      ['9', true],
      ['7', false],
    ]);
    expect(pop.openOrders).toBe(1);
    expect(pop.draft).toMatchObject({
      channel: 'phone',
      callId: pop.callId,
      requesterPhone: '138****1234',
      desk: 'mandarin',
      repeatOf: '9',
    });
    await h.until(() => offered.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    expect(other.received('screen-pop')).toHaveLength(0);
    expect(bystander.received('screen-pop')).toHaveLength(0);
    expect(other.received('call-update')).toHaveLength(0);
    await h.run(2000);
    expect(await offered.call('hold')).toEqual({ ok: true });
    expect(await offered.call('hold')).toMatchObject({ ok: false, error: { statusCode: 409 } });
    expect(await offered.call('unhold')).toEqual({ ok: true });
    await h.run(1000);
    expect(offered.received('call-update').map((u: any) => u.state)).toEqual(['answered', 'held', 'resumed']);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => offered.received('call-update').some((u: any) => u.state === 'ended'), 'ended');
    await h.until(() => h!.recordings.byCall(pop.callId)[0]?.status === 'archived', 'archived');
  });

  it('a supervisor taking calls sees the full number', async () => {
    h = await Harness.start();
    h.sim.control.setPhone('1005', { answerAfterMs: 1000 });
    const lead = await h.desktop('leader', 'supervisor');
    expect(await lead.call('sign-in', { extension: '1005', skills: ['mandarin'] })).toEqual({ ok: true });
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => lead.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    expect(lead.last('screen-pop').callerNumber).toBe('13812341234');
    await h.run(2000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.layer.controller.liveCalls().size === 0, 'ended');
    await h.until(() => h!.recordings.list().every((r) => r.status === 'archived'), 'archived');
  });

  it('a desktop that reconnects gets its current call back', async () => {
    h = await Harness.start();
    const first = await h.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => first.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    const callId = first.last('screen-pop').callId;
    first.socket.disconnect();
    await h.run(1000);
    const again = await h.desktop('a1');
    const current = again.last('current-call');
    expect(current.state).toBe('answered');
    expect(current.pop.callId).toBe(callId);
    expect(current.pop.callerNumber).toBe('138****1234');
    expect(again.last('agent-state').status).toBe('on-call');
    // Commands work from the new desktop.
    expect(await again.call('hangup')).toEqual({ ok: true });
    await h.until(() => again.received('call-update').some((u: any) => u.state === 'ended'), 'ended');
    expect(h.records.getCall(callId)!.outcome).toBe('answered');
    void placed;
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
    // After the call: nothing current.
    const third = await h.desktop('a1');
    expect(third.last('current-call')).toBeNull();
  });

  it('the archived recording has the stored SHA-256 and a duration matching talk time; the PBX copy is gone', async () => {
    h = await Harness.start();
    const agent = await h.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => agent.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    const callId = agent.last('screen-pop').callId;
    await h.run(8000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.recordings.byCall(callId)[0]?.deletedFromPbxAt != null, 'archived and removed from the PBX');
    const rec = h.recordings.byCall(callId)[0]!;
    const call = h.records.getCall(callId)!;
    const file = readFileSync(join(h.dataDir, 'recordings', rec.path!));
    expect(rec.path).toMatch(/^\d{4}\/\d{2}\/\d{2}\/call-.+\.wav$/);
    expect(createHash('sha256').update(file).digest('hex')).toBe(rec.sha256);
    const info = readWavInfo(file);
    expect(info.sampleRate).toBe(8000);
    expect(info.durationMs).toBe(rec.durationMs);
    const talkMs = call.endedAt! - call.answeredAt!;
    expect(rec.talkMs).toBe(talkMs);
    expect(Math.abs(info.durationMs - talkMs)).toBeLessThanOrEqual(2000);
    expect(info.durationMs).toBeGreaterThan(6000);
    expect(rec.durationCheck).toBe('ok');
    expect(rec.retainUntil! - rec.startedAt).toBeGreaterThanOrEqual(3 * 365 * 86_400_000);
    expect(rec.deletedFromPbxAt).not.toBeNull();
    const stored = (await h.conn.rest.recordings.listStored()).map((r) => r.name);
    expect(stored).not.toContain(rec.name);
  });

  it('blind transfer: the caller stays recorded with the third party after the agent leaves; three-way adds a party', async () => {
    h = await Harness.start();
    h.sim.control.setExternal('110', { answerAfterMs: 1000 });
    h.sim.control.setExternal('12319', { answerAfterMs: 1000 });
    const agent = await h.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => agent.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    const callId = agent.last('screen-pop').callId;
    await h.run(2000);
    expect(await agent.call('conference', { number: '110' })).toEqual({ ok: true });
    await h.until(() => agent.received('call-update').some((u: any) => u.state === 'conference'), 'three-way');
    const bridgeId = h.records.getCall(callId)!.bridgeId!;
    expect(h.records.legs(callId).filter((l) => l.kind === 'third_party')).toHaveLength(1);
    await h.run(2000);
    expect(await agent.call('transfer', { number: '12319' })).toEqual({ ok: true });
    await h.until(() => agent.received('call-update').some((u: any) => u.state === 'transferred'), 'transferred');
    await h.until(() => agent.received('call-update').some((u: any) => u.state === 'ended'), 'agent left');
    // The agent is free (wrap-up) while the caller still talks, in the same recorded bridge.
    await h.until(
      () => h!.layer.controller.agents().find((a) => a.agentId === 'a1')!.status !== 'on-call',
      'agent released',
    );
    expect(h.records.getCall(callId)!.status).toBe('active');
    expect(h.sim.control.state().bridges.find((b) => b.id === bridgeId)).toBeDefined();
    await h.run(3000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'ended');
    const row = h.records.getCall(callId)!;
    expect(row.outcome).toBe('transferred');
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
    const rec = h.recordings.byCall(callId)[0]!;
    // One recording covers the whole call, across the three-way call and the transfer.
    expect(h.recordings.byCall(callId)).toHaveLength(1);
    expect(Math.abs(rec.durationMs! - (row.endedAt! - row.answeredAt!))).toBeLessThanOrEqual(2000);
  });
});
