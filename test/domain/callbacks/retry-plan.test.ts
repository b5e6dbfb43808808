import { describe, expect, it } from 'vitest';
import {
  afterOutcome,
  checkDial,
  DEFAULT_RETRY_PLAN,
  firstAllowed,
  inQuietHours,
  retryPlanFromEnv,
} from '../../../src/domain/callbacks/retry-plan.ts';

/** Beijing time (UTC+8) as epoch ms. */
const bj = (day: number, h: number, m = 0) => Date.UTC(2026, 0, day, h - 8, m);

describe('callback retry plan', () => {
  it('quiet hours 22:00–08:00 Beijing time, across midnight', () => {
    expect(inQuietHours(DEFAULT_RETRY_PLAN, bj(5, 21, 59))).toBe(false);
    expect(inQuietHours(DEFAULT_RETRY_PLAN, bj(5, 22, 0))).toBe(true);
    expect(inQuietHours(DEFAULT_RETRY_PLAN, bj(6, 3, 0))).toBe(true);
    expect(inQuietHours(DEFAULT_RETRY_PLAN, bj(6, 8, 0))).toBe(false);
    expect(firstAllowed(DEFAULT_RETRY_PLAN, bj(5, 23, 10))).toBe(bj(6, 8, 0));
    expect(firstAllowed(DEFAULT_RETRY_PLAN, bj(6, 7, 59))).toBe(bj(6, 8, 0));
    expect(firstAllowed(DEFAULT_RETRY_PLAN, bj(6, 9, 0))).toBe(bj(6, 9, 0));
  });

  it('no answer and busy are retried after the interval until the tries are used up; the others close it', () => {
    expect(afterOutcome(DEFAULT_RETRY_PLAN, 0, 'no_answer', bj(5, 10))).toEqual({
      status: 'pending',
      tries: 1,
      nextTryAt: bj(5, 10, 30),
    });
    expect(afterOutcome(DEFAULT_RETRY_PLAN, 1, 'busy', bj(5, 21, 45))).toEqual({
      status: 'pending',
      tries: 2,
      nextTryAt: bj(6, 8, 0),
    });
    expect(afterOutcome(DEFAULT_RETRY_PLAN, 2, 'no_answer', bj(5, 10))).toEqual({
      status: 'done',
      tries: 3,
      nextTryAt: null,
    });
    for (const o of ['reached', 'wrong_number', 'resolved_elsewhere'] as const)
      expect(afterOutcome(DEFAULT_RETRY_PLAN, 0, o, bj(5, 10)).status).toBe('done');
  });

  it('dialling is refused when closed, taken, in quiet hours or before the next try', () => {
    const row = { status: 'pending', nextTryAt: null, diallingBy: null };
    expect(checkDial(DEFAULT_RETRY_PLAN, row, bj(5, 10))).toBeUndefined();
    expect(checkDial(DEFAULT_RETRY_PLAN, { ...row, status: 'done' }, bj(5, 10))?.code).toBe('already-done');
    expect(checkDial(DEFAULT_RETRY_PLAN, { ...row, diallingBy: 'a2' }, bj(5, 10))?.code).toBe('taken');
    expect(checkDial(DEFAULT_RETRY_PLAN, row, bj(5, 22, 30))).toMatchObject({ code: 'quiet-hours', until: bj(6, 8) });
    expect(checkDial(DEFAULT_RETRY_PLAN, { ...row, nextTryAt: bj(5, 11) }, bj(5, 10))).toMatchObject({
      code: 'too-early',
      until: bj(5, 11),
    });
  });

  it('configuration from the environment, with errors naming the variable', () => {
    expect(retryPlanFromEnv({})).toEqual(DEFAULT_RETRY_PLAN);
    expect(
      retryPlanFromEnv({ CALLBACK_MAX_TRIES: '5', CALLBACK_RETRY_MINUTES: '60', CALLBACK_QUIET_HOURS: '21:00-09:00' }),
    ).toMatchObject({ maxTries: 5, intervalMs: 3_600_000, quietHours: { start: '21:00', end: '09:00' } });
    expect(retryPlanFromEnv({ CALLBACK_QUIET_HOURS: 'off' }).quietHours).toBeNull();
    expect(() => retryPlanFromEnv({ CALLBACK_MAX_TRIES: '0' })).toThrow(/CALLBACK_MAX_TRIES/);
    expect(() => retryPlanFromEnv({ CALLBACK_RETRY_MINUTES: 'soon' })).toThrow(/CALLBACK_RETRY_MINUTES/);
    expect(() => retryPlanFromEnv({ CALLBACK_QUIET_HOURS: '22-8' })).toThrow(/CALLBACK_QUIET_HOURS/);
    expect(() => retryPlanFromEnv({ CALLBACK_QUIET_HOURS: '25:00-08:00' })).toThrow(/CALLBACK_QUIET_HOURS/);
  });
});
