// The recordings' ordered, group-committed write queue on PostgreSQL (issue 12): the call layer enqueues without
// waiting, the writes commit in order, a refused write fails alone, and a read waits for the writes before it.
import { describe, expect, it } from 'vitest';
import { storeFactory } from '../support/stores.ts';

const T = Date.UTC(2026, 0, 5, 2, 0, 0);

describe('recordings write queue on PostgreSQL', () => {
  const stores = storeFactory('postgres');

  it('given writes enqueued in one turn without waiting, then they commit in order, a refused one fails alone and a read sees the rest', async () => {
    const s = await stores.fresh();
    await s.exec(`insert into calls (id, caller_channel_id, caller_number, status, phase, arrived_at)
      values ('c1', 'ch-c1', '13812341234', 'ended', 'ended', ${T})`);
    const r = s.repos.recordings;
    // When the call layer enqueues an insert, a recording of a call that does not exist, and the call's end
    const inserted = r.insertRecording({ name: 'call-c1', callId: 'c1', startedAt: T });
    const refused = r.insertRecording({ name: 'call-nope', callId: 'no-such-call', startedAt: T }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const pending = r.markPending('call-c1', { stoppedAt: T + 5000, talkMs: 4000 });
    // Then a read made right after waits for them: the pending state, written after the insert, is what it sees
    expect(await r.get('call-c1')).toMatchObject({ status: 'pending', stoppedAt: T + 5000, talkMs: 4000 });
    await expect(inserted).resolves.toBeUndefined();
    await expect(pending).resolves.toBeUndefined();
    // and the refused write names the database's reason, without the statement's parameters
    const err = await refused;
    expect(err?.message).toMatch(/foreign key/);
    expect(err?.message).not.toMatch(/params:/);
    expect(await r.get('call-nope')).toBeUndefined();
    expect((await s.query('select name from recordings')).map((x: any) => x.name)).toEqual(['call-c1']);
  });
});

describe('recordings after their call on PostgreSQL (two queues, one order)', () => {
  const stores = storeFactory('postgres');

  it("given a call's row queued and its recording queued in the same turn, then the recording waits for the call's commit (no foreign-key refusal)", async () => {
    const s = await stores.fresh();
    // Given the call layer queues a new call's row (the call records' queue) ...
    s.repos.calls.insertCall({
      id: 'c-same-turn',
      callerChannelId: 'ch-same-turn',
      callerNumber: '13812341234',
      status: 'active',
      phase: 'talking',
      arrivedAt: T,
    });
    // When its recording is queued in the same turn (the recordings' queue, which would otherwise commit first)
    const inserted = r(s).insertRecording({ name: 'call-same-turn', callId: 'c-same-turn', startedAt: T + 1 });
    // Then the recording is stored, after its call
    await expect(inserted).resolves.toBeUndefined();
    expect(await r(s).get('call-same-turn')).toMatchObject({ callId: 'c-same-turn', status: 'recording' });
  });
});

function r(s: Awaited<ReturnType<ReturnType<typeof storeFactory>['fresh']>>) {
  return s.repos.recordings;
}
