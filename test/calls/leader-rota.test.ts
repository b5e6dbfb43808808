import { io as ioClient } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteAuditRepo } from '../../src/store/audit-repo.ts';
import { SqliteRotaRepo } from '../../src/store/rota-repo.ts';
import { users } from '../../src/store/schema/users.ts';
import { Desktop, Harness } from './harness.ts';

const waitPrompt = (media: string) => ({ kind: 'awaitPrompt' as const, media });
// The harness clock starts at 2026-01-05 10:00 Asia/Shanghai.
const DAY = '2026-01-05';
const toMandarin = [
  waitPrompt('hotline/desk-choice'),
  { kind: 'dtmf' as const, digits: '1' },
  waitPrompt('hotline/emergency-advice'),
  { kind: 'dtmf' as const, digits: '0' },
];

async function onRota(h: Harness, username: string, startTime: string, endTime: string, seat: string): Promise<void> {
  await new SqliteRotaRepo(h.store.db).add(
    { date: DAY, startTime, endTime, username, seat, skill: null, createdBy: 'admin', createdAt: h.clock.now() },
    (id) => ({
      entity: 'leader-rota',
      entityId: String(id),
      action: 'rota-add',
      actorId: 'admin',
      actorRole: 'admin',
      at: h.clock.now(),
    }),
  );
  await h.layer.rota.reload();
}

function addUser(h: Harness, username: string, displayName: string): void {
  h.store.db
    .insert(users)
    .values({ username, displayName, passwordHash: 'x', role: 'agent', createdAt: 0, updatedAt: 0 })
    .run();
}

describe('the leader rota (art. 23) on the simulator', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('at 20 s the overflow goes to the leader on duty per the rota, not to a leader whose span has not begun', async () => {
    h = await Harness.start({
      callCenter: (c) => ({ ...c, acd: { ...c.acd, overflow: ['leaders'], announceEveryMs: 0 } }),
    });
    addUser(h, 'li.leader', '李主任');
    const onDuty = await h.agent('li.leader', '8001', { answerAfterMs: 1000 }, ['zhuang']);
    const later = await h.agent('wang.leader', '8002', { answerAfterMs: 1000 }, ['zhuang']);
    await onRota(h, 'li.leader', '09:00', '12:00', '8001');
    await onRota(h, 'wang.leader', '14:00', '16:00', '8002');
    const sup = await h.supervisor();
    await sup.until(() => (sup.last('figures')?.rota ?? []).length === 2);
    expect(sup.last('figures').rota).toEqual([
      expect.objectContaining({
        agentId: 'li.leader',
        displayName: '李主任',
        seat: '8001',
        onDutyNow: true,
        status: 'ready',
      }),
      expect.objectContaining({ agentId: 'wang.leader', onDutyNow: false }),
    ]);

    const placed = h.sim.control.placeCall({ from: '13912345678', to: '12345', script: toMandarin });
    const queuedAt = () => [...h!.layer.controller.liveCalls().values()][0]?.record?.queuedAt;
    await h.until(() => queuedAt() !== undefined, 'queued');
    const callId = [...h.layer.controller.liveCalls().keys()][0]!;
    const exit = queuedAt()!;
    // Nobody staffs Mandarin: before the answer target nobody is offered the call.
    await h.run(exit + 19_900 - h.clock.now());
    expect(onDuty.received('screen-pop')).toHaveLength(0);
    await h.until(() => onDuty.received('screen-pop').length > 0, 'offered to the leader on duty');
    expect(h.clock.now() - exit).toBeGreaterThanOrEqual(20_000);
    expect(h.clock.now() - exit).toBeLessThan(21_000);
    expect(later.received('screen-pop')).toHaveLength(0);
    await h.until(() => onDuty.received('call-update').some((u: any) => u.state === 'answered'), 'leader answered');
    expect(h.records.getCall(callId)).toMatchObject({ agentId: 'li.leader', breachCause: 'nobody-ready' });
    await h.run(3000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
  });

  it('a supervisor sends a ringing call to the leaders: withdrawn from the agent, offered to the leader on duty, audited', async () => {
    h = await Harness.start({
      callCenter: (c) => ({ ...c, acd: { ...c.acd, overflow: [], announceEveryMs: 0 } }),
    });
    const agent = await h.agent('m1', '1001', {}, ['mandarin']); // rings, never answers
    const leader = await h.agent('li.leader', '8001', { answerAfterMs: 1000 }, ['zhuang']);
    const sup = await h.supervisor('banzhang');
    const placed = h.sim.control.placeCall({ from: '13912345678', to: '12345', script: toMandarin });
    await h.until(() => agent.received('screen-pop').length > 0, 'offered to m1');
    const callId = agent.last('screen-pop').callId;

    // Nobody on the rota: refused, with the Chinese text for the page.
    expect(await sup.call('send-to-leaders', { callId })).toEqual({
      ok: false,
      error: expect.objectContaining({
        statusCode: 409,
        code: 'no-leader-on-duty',
        messageZh: expect.stringContaining('值班领导'),
      }),
    });
    await onRota(h, 'li.leader', '09:00', '12:00', '8001');
    expect(await sup.call('send-to-leaders', { callId, reason: '市民要求找领导' })).toEqual({ ok: true });
    await h.until(() => agent.received('call-update').some((u: any) => u.state === 'withdrawn'), 'withdrawn from m1');
    await h.until(() => leader.received('call-update').some((u: any) => u.state === 'answered'), 'leader answered');
    expect(h.layer.controller.agents().find((a) => a.agentId === 'm1')?.status).toBe('ready');
    const audit = await new SqliteAuditRepo(h.store.db).listFor('call', callId);
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'send-to-leaders',
        actorId: 'banzhang',
        actorRole: 'supervisor',
        reason: '市民要求找领导',
      }),
    ]);
    await h.run(3000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
  });

  it('a span whose leader has not signed in is alerted to the wallboard 10 min before it starts', async () => {
    h = await Harness.start();
    const sup = await h.supervisor();
    await onRota(h, 'zhao.leader', '10:30', '12:00', '8003');
    await h.run(19 * 60_000, 60_000);
    expect(sup.received('alert').filter((a: any) => a.kind === 'rota-unstaffed')).toEqual([]);
    await h.run(60_000, 1_000);
    await sup.until(() => sup.received('alert').some((a: any) => a.kind === 'rota-unstaffed'));
    expect(sup.received('alert').filter((a: any) => a.kind === 'rota-unstaffed')).toEqual([
      expect.objectContaining({
        agentId: 'zhao.leader',
        level: 'warning',
        message: expect.stringContaining('in 10 min'),
      }),
    ]);
  });
});

describe('supervisor forces an agent state (agent-force on /supervisor)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('pause, ready and sign-out reach the agent desktop and each leaves an audit row', async () => {
    h = await Harness.start();
    const desk = await h.agent('m1', '1001', { answerAfterMs: 1000 }, ['mandarin']);
    const sup = await h.supervisor('banzhang');
    const audit = new SqliteAuditRepo(h.store.db);

    expect(await sup.call('agent-force', { agentId: 'm1', state: 'paused', reason: '临时安排培训' })).toEqual({
      ok: true,
    });
    await desk.until(() => desk.last('agent-state')?.status === 'paused');
    expect(desk.last('agent-state')).toMatchObject({ agentId: 'm1', status: 'paused', pauseReason: 'SUPERVISOR' });
    expect(await sup.call('agent-force', { agentId: 'm1', state: 'ready', reason: '培训取消' })).toEqual({ ok: true });
    await desk.until(() => desk.last('agent-state')?.status === 'ready');
    expect(await sup.call('agent-force', { agentId: 'm1', state: 'signed-out', reason: '下班未签出' })).toEqual({
      ok: true,
    });
    await desk.until(() => desk.last('agent-state')?.status === 'signed-out');

    const rows = await audit.listFor('agent', 'm1');
    expect(rows.map((r) => [r.action, r.actorId, r.fromStatus, r.toStatus, r.reason])).toEqual([
      ['agent-force', 'banzhang', 'ready', 'paused', '临时安排培训'],
      ['agent-force', 'banzhang', 'paused', 'ready', '培训取消'],
      ['agent-force', 'banzhang', 'ready', 'signed-out', '下班未签出'],
    ]);
  });

  it('refuses without a reason, an unknown state, an agent not signed in, an agent on a call, and an admin; none is audited', async () => {
    h = await Harness.start();
    const desk = await h.agent('m1', '1001', { answerAfterMs: 500 }, ['mandarin']);
    const sup = await h.supervisor('banzhang');
    const err = (statusCode: number, code: string) => ({
      ok: false,
      error: expect.objectContaining({ statusCode, code, messageZh: expect.any(String) }),
    });
    expect(await sup.call('agent-force', { agentId: 'm1', state: 'paused', reason: ' ' })).toEqual(
      err(400, 'reason-required'),
    );
    expect(await sup.call('agent-force', { agentId: 'm1', state: 'on-call', reason: 'x' })).toEqual(
      err(400, 'invalid-input'),
    );
    expect(await sup.call('agent-force', { agentId: 'nobody', state: 'ready', reason: 'x' })).toEqual(
      err(404, 'unknown-agent'),
    );
    expect(await sup.call('agent-force', 'not an object')).toEqual(err(400, 'invalid-input'));

    const adminSocket = ioClient(`${h.url}/supervisor`, {
      auth: { username: 'root', role: 'admin' },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    h.clients.push(adminSocket);
    const admin = new Desktop(adminSocket);
    await admin.until(() => admin.received('figures').length > 0);
    expect(await admin.call('agent-force', { agentId: 'm1', state: 'paused', reason: 'x' })).toEqual(
      err(403, 'forbidden'),
    );

    const placed = h.sim.control.placeCall({ from: '13912345678', to: '12345', script: toMandarin });
    await h.until(() => desk.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    expect(await sup.call('agent-force', { agentId: 'm1', state: 'signed-out', reason: '强制签出' })).toEqual(
      err(409, 'invalid-transition'),
    );
    expect(await new SqliteAuditRepo(h.store.db).listFor('agent', 'm1')).toEqual([]);
    const callId = desk.last('screen-pop').callId;
    await h.run(3000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
  });
});
