import { areaOf } from '../work-orders/hot-topics.ts';

/**
 * The area an order is counted under in reports (art. 17: statistics by area). Today it is read from the free
 * text `location`; once orders carry an `area` code column this is the one place to switch to it.
 */
export function orderArea(row: { location: string | null }): string {
  return areaOf(row.location);
}
