import type { Clock } from './clock.ts';

export interface ThrottledWarning {
  /** Counts one occurrence; writes a line if none was written in the last interval. */
  note(fields: Record<string, unknown>): void;
  /** Writes the occurrences counted since the last line, if any (on shutdown). */
  flush(): void;
}

/**
 * One warn line per interval for an event anyone on the network can cause (a refused webhook call):
 * a line per event would let an anonymous client flood the log (issue 7 item 10). Each line carries
 * `refused`, the number of events since the previous line, this one included. Time is the injected clock.
 */
export function throttledWarning(o: {
  logger: { warn(obj: Record<string, unknown>, msg: string): void };
  clock: Clock;
  msg: string;
  everyMs?: number;
}): ThrottledWarning {
  const everyMs = o.everyMs ?? 60_000;
  let lastAt: number | undefined;
  let count = 0;
  let last: Record<string, unknown> = {};
  const write = () => {
    o.logger.warn({ ...last, refused: count, everyMs }, o.msg);
    lastAt = o.clock.now();
    count = 0;
  };
  return {
    note(fields) {
      count++;
      last = fields;
      if (lastAt === undefined || o.clock.now() - lastAt >= everyMs) write();
    },
    flush() {
      if (count > 0) write();
    },
  };
}
