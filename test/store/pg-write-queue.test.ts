// The call records' write queue on PostgreSQL (issue 12 gap 1): a failed commit is retried in order and logged
// without a caller's number, a write the database refuses is left out without holding back the others, and a
// deposed owner's queue writes nothing more.
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PgCallRecords } from '../../src/store/pg-call-records.ts';
import { openPgStore, type PgStore } from '../../src/store/pg-store.ts';
import { WriteQueue } from '../../src/store/pg-write-queue.ts';
import { storeFactory } from '../support/stores.ts';

const NOW = Date.UTC(2026, 2, 2, 2, 0, 0);
const CALLER = '13800138000';

function capture() {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  return {
    lines,
    logger: {
      warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj, msg }),
      error: (obj: object, msg: string) => lines.push({ level: 'error', obj, msg }),
    },
  };
}

/** The pool, whose first `failures` connections are refused as by a database that is restarting. */
function flaky(pool: pg.Pool, failures: number): pg.Pool {
  let left = failures;
  return {
    connect: async () => {
      if (left-- > 0) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return pool.connect();
    },
  } as unknown as pg.Pool;
}

const insertCall = (id: string) => ({
  run: (c: { client: pg.PoolClient }) =>
    c.client.query(
      `insert into calls (id, caller_channel_id, caller_number, status, phase, arrived_at) values ($1, $2, $3, 'active', 'ivr', $4)`,
      [id, `${id}-c`, CALLER, NOW],
    ),
});
const setOffers = (id: string, offers: number) => ({
  run: (c: { client: pg.PoolClient }) => c.client.query('update calls set offers = $1 where id = $2', [offers, id]),
});

describe('the call records write queue on PostgreSQL', () => {
  const stores = storeFactory('postgres');
  const open: PgStore[] = [];
  afterEach(async () => {
    for (const st of open.splice(0)) await st.close();
  });
  const pgPool = async () => {
    const store = await openPgStore({ url: (await stores.freshUrl())!, poolSize: 3 });
    open.push(store);
    const s = { query: async (sql: string) => (await store.pool.query(sql)).rows };
    return { s, pool: store.pool };
  };

  it('given the database refusing connections for a while, when writes arrive across turns, then they are committed in their order once it is back, and the log names no number', async () => {
    const { s, pool } = await pgPool();
    const log = capture();
    const queue = new WriteQueue(flaky(pool, 3), { logger: log.logger, retryBaseMs: 1, retryMaxMs: 4 });

    queue.push(insertCall('c1'));
    queue.push(setOffers('c1', 1));
    await new Promise((r) => setImmediate(r));
    // A later turn, while the first batch is still failing.
    queue.push(setOffers('c1', 2));
    await queue.flushed();

    expect(await s.query('select offers from calls')).toEqual([{ offers: 2 }]);
    const retries = log.lines.filter((l) => l.msg === 'call records: commit failed; retrying in order');
    expect(retries.map((l) => (l.obj as { attempt: number }).attempt)).toEqual([1, 2, 3]);
    expect(JSON.stringify(log.lines)).not.toContain(CALLER);
    expect(JSON.stringify(log.lines)).not.toContain(CALLER.slice(3));
  });

  it('given a steady stream of writes, when a read waits for the writes made before it, then it is not held back by the later ones', async () => {
    const { s, pool } = await pgPool();
    const queue = new WriteQueue(pool);
    queue.push(insertCall('c1'));
    let turn = 0;
    let streaming = true;
    const started = Date.now();
    const stream = (async () => {
      // A write in every turn, as a busy call layer makes them, until the read has its answer (or for 3 s).
      while (streaming && Date.now() - started < 3000) {
        queue.push(setOffers('c1', ++turn));
        await new Promise((r) => setImmediate(r));
      }
    })();

    await queue.flushed();
    const waitedMs = Date.now() - started;
    streaming = false;
    await stream;
    await queue.flushed();

    expect(waitedMs).toBeLessThan(3000);
    expect((await s.query('select offers from calls'))[0]).toEqual({ offers: turn });
  });

  it('given a write the database refuses (a leg of an unknown call) among others, when committed, then only it is left out and its caller is told', async () => {
    const { s, pool } = await pgPool();
    const log = capture();
    const records = new PgCallRecords(pool, { logger: log.logger, retryBaseMs: 1 });

    records.insertCall({
      id: 'c1',
      callerChannelId: 'c1-c',
      callerNumber: CALLER,
      status: 'active',
      phase: 'ivr',
      arrivedAt: NOW,
    });
    records.insertLeg({ channelId: 'x', callId: 'no-such-call', kind: 'agent', createdAt: NOW });
    const alert = records.addAlert({ callId: 'no-such-call', kind: 'answer-breach', at: NOW, cause: null });
    records.updateCall('c1', { phase: 'queued' });
    const refused = await alert.then(
      () => 'stored',
      (err: Error) => `refused: ${err.message}`,
    );
    await records.flushed();

    expect(refused).toMatch(/^refused: write refused: .*foreign key/);
    expect(refused).not.toContain(CALLER);
    expect(await s.query('select id, phase from calls')).toEqual([{ id: 'c1', phase: 'queued' }]);
    expect(await s.query('select count(*) as n from call_legs')).toEqual([{ n: 0 }]);
    expect(
      log.lines.filter((l) => l.msg === 'call records: a write was refused by the database and left out').length,
    ).toBe(2);
    expect(JSON.stringify(log.lines)).not.toContain(CALLER);
  });

  it('given a deposed owner, when it goes on writing, then nothing more is committed and its pending reads do not hang', async () => {
    const { s, pool } = await pgPool();
    const log = capture();
    const records = new PgCallRecords(pool, { logger: log.logger });
    records.insertCall({
      id: 'c1',
      callerChannelId: 'c1-c',
      callerNumber: CALLER,
      status: 'active',
      phase: 'talking',
      arrivedAt: NOW,
    });
    await records.flushed();

    records.updateCall('c1', { status: 'ended', phase: 'ended', endedAt: NOW + 1 });
    records.stopWriting('call ownership lost');
    records.updateCall('c1', { outcome: 'answered' });
    const alert = records.addAlert({ callId: 'c1', kind: 'answer-breach', at: NOW, cause: null });

    await expect(alert).rejects.toThrow(/not written/);
    await records.flushed();
    expect(await s.query('select status, outcome from calls')).toEqual([{ status: 'active', outcome: null }]);
    expect(log.lines.some((l) => l.msg === 'call records: queued writes dropped')).toBe(true);
  });
});
