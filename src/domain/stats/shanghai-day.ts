const DAY_MS = 86_400_000;
/** China Standard Time has been UTC+8 all year, with no daylight saving, since 1991. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Epoch ms of 00:00 Asia/Shanghai on the day that contains `now`. */
export function shanghaiDayStart(now: number): number {
  return Math.floor((now + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
}
