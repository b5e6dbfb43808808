import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';

describe('FakeClock', () => {
  it('fires timers in deadline order at their own instant', () => {
    const c = new FakeClock(1000);
    const fired: Array<[string, number]> = [];
    c.setTimeout(() => fired.push(['b', c.now()]), 20);
    c.setTimeout(() => fired.push(['a', c.now()]), 10);
    const cancelled = c.setTimeout(() => fired.push(['x', c.now()]), 15);
    c.clearTimeout(cancelled);
    c.advance(25);
    expect(fired).toEqual([
      ['a', 1010],
      ['b', 1020],
    ]);
    expect(c.now()).toBe(1025);
  });

  it('fires timers that were set while firing, within the same advance', () => {
    const c = new FakeClock(0);
    const fired: number[] = [];
    c.setTimeout(() => {
      fired.push(c.now());
      c.setTimeout(() => fired.push(c.now()), 5);
    }, 5);
    c.advance(10);
    expect(fired).toEqual([5, 10]);
    expect(c.pendingCount).toBe(0);
  });
});
