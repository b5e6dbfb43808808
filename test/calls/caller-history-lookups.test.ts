import { describe, expect, it } from 'vitest';
import { HistoryLookups } from '../../src/calls/caller-history-lookups.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';

/** A logger whose warnings are kept as parsed JSON lines. */
function warnings() {
  const raw: string[] = [];
  const logger = createLogger({
    level: 'warn',
    pretty: false,
    destination: { write: (s: string) => void raw.push(s) },
  });
  return {
    logger,
    messages: () =>
      raw
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { msg: string; err?: string }),
  };
}

const never = <T>() => new Promise<T>(() => undefined);
const settled = () => new Promise((r) => setImmediate(r));

/** The history reads beside the calls: an answer, a failure, a deadline, a close. */
describe('HistoryLookups', () => {
  it('given a store that answers, when a read runs, then its answer comes back and nothing is logged', async () => {
    const log = warnings();
    const lookups = new HistoryLookups(new FakeClock(0), log.logger, 2000);
    expect(await lookups.read('caller history', async () => ['order'])).toEqual(['order']);
    expect(lookups.size).toBe(0);
    expect(log.messages()).toEqual([]);
  });

  it('given a store that throws or rejects, when a read runs, then it answers undefined and the failure is logged', async () => {
    const log = warnings();
    const lookups = new HistoryLookups(new FakeClock(0), log.logger, 2000);
    expect(
      await lookups.read('caller history', () => {
        throw new Error('database is locked');
      }),
    ).toBeUndefined();
    expect(await lookups.read('ticket status', () => Promise.reject(new Error('connection lost')))).toBeUndefined();
    expect(log.messages().map((m) => [m.msg, m.err])).toEqual([
      ['calls: caller history lookup failed; going on without it', 'database is locked'],
      ['calls: ticket status lookup failed; going on without it', 'connection lost'],
    ]);
  });

  it('given a store that does not answer, when the deadline passes on the clock, then the read answers undefined and the timeout is logged', async () => {
    const log = warnings();
    const clock = new FakeClock(0);
    const lookups = new HistoryLookups(clock, log.logger, 2000);
    let answer: unknown = 'pending';
    void lookups.read('caller history', never).then((v) => (answer = v));
    clock.advance(1999);
    await settled();
    expect(answer).toBe('pending');
    clock.advance(1);
    await settled();
    expect(answer).toBeUndefined();
    expect(lookups.size).toBe(0);
    expect(log.messages().map((m) => m.msg)).toEqual(['calls: caller history lookup timed out; going on without it']);
  });

  it('given a read that answers after its deadline, when the answer comes, then it is dropped (the call went on without it)', async () => {
    const log = warnings();
    const clock = new FakeClock(0);
    const lookups = new HistoryLookups(clock, log.logger, 2000);
    let release!: (v: string) => void;
    const late = new Promise<string>((r) => (release = r));
    const answers: unknown[] = [];
    void lookups.read('caller history', () => late).then((v) => answers.push(v));
    clock.advance(2000);
    await settled();
    release('too late');
    await settled();
    expect(answers).toEqual([undefined]);
  });

  it('given reads in flight, when the call layer closes, then they answer undefined at once and later reads do not start', async () => {
    const lookups = new HistoryLookups(new FakeClock(0), warnings().logger, 2000);
    const inFlight = lookups.read('caller history', never);
    expect(lookups.size).toBe(1);
    lookups.close();
    expect(await inFlight).toBeUndefined();
    let started = false;
    expect(
      await lookups.read('caller history', async () => {
        started = true;
        return 1;
      }),
    ).toBeUndefined();
    expect(started).toBe(false);
  });
});
