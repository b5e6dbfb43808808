import { OPEN_STATUSES, type WorkOrder, type WorkOrderStatus } from './types.ts';

/** What repeat detection needs of an order. */
export interface RepeatCandidate {
  id: number;
  status: WorkOrderStatus;
  requesterPhone?: string;
  categoryCode: string;
  content: string;
  location?: string;
}

export interface IncomingMatter {
  requesterPhone?: string;
  categoryCode: string;
  content: string;
  location?: string;
}

export type RepeatMatch =
  /** The same matter is open: merge the new demand into it. */
  | { kind: 'merge-into-open'; orderId: number; similarity: number }
  /** Art. 21(4): the same requester raises the same matter as a lawfully closed order. */
  | { kind: 'repeat-of-closed'; orderId: number; similarity: number };

export interface RepeatOptions {
  /** Minimum similarity of the two texts (0–1) for "the same matter". */
  threshold: number;
}

export const DEFAULT_REPEAT_OPTIONS: RepeatOptions = Object.freeze({ threshold: 0.6 });

const OPEN: ReadonlySet<WorkOrderStatus> = new Set(OPEN_STATUSES);

export function normaliseMatterText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** Normalised phone number: digits only, without a leading +86 / 0086. */
export function normalisePhone(phone: string | undefined): string | undefined {
  if (phone === undefined) return undefined;
  let d = phone.replace(/\D+/g, '');
  if (d.startsWith('0086')) d = d.slice(4);
  else if (d.startsWith('86') && d.length === 13) d = d.slice(2);
  return d === '' ? undefined : d;
}

function bigrams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  const chars = [...s];
  if (chars.length === 1) m.set(s, 1);
  for (let i = 0; i + 1 < chars.length; i++) {
    const g = (chars[i] as string) + (chars[i + 1] as string);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/**
 * How alike two demands' texts are, 0–1: the Dice coefficient over character bigrams. Works for Chinese,
 * which has no spaces between words.
 */
export function matterSimilarity(a: string, b: string): number {
  const x = normaliseMatterText(a);
  const y = normaliseMatterText(b);
  if (x === '' || y === '') return 0;
  if (x === y) return 1;
  const bx = bigrams(x);
  const by = bigrams(y);
  let common = 0;
  let total = 0;
  for (const [g, n] of bx) {
    common += Math.min(n, by.get(g) ?? 0);
    total += n;
  }
  for (const n of by.values()) total += n;
  return total === 0 ? 0 : (2 * common) / total;
}

export function repeatCandidateOf(order: WorkOrder): RepeatCandidate {
  const c: RepeatCandidate = {
    id: order.id,
    status: order.status,
    categoryCode: order.category.code,
    content: order.content,
  };
  const phone = order.requester.phone ?? order.requester.contactPhone;
  if (phone !== undefined) c.requesterPhone = phone;
  if (order.location !== undefined) c.location = order.location;
  return c;
}

/**
 * Looks for an order the incoming demand repeats. The same matter means the same category and texts at least
 * `threshold` alike. An open order on the same matter, from the same requester or at the same location, wins
 * (merge); otherwise a lawfully closed order from the same requester flags a repeat (art. 21(4)). Among equals
 * the most similar, then the newest (highest id) is chosen.
 */
export function findRepeat(
  incoming: IncomingMatter,
  existing: readonly RepeatCandidate[],
  options: RepeatOptions = DEFAULT_REPEAT_OPTIONS,
): RepeatMatch | null {
  const phone = normalisePhone(incoming.requesterPhone);
  const place = incoming.location === undefined ? '' : normaliseMatterText(incoming.location);
  let open: RepeatMatch | null = null;
  let closed: RepeatMatch | null = null;
  const better = (m: RepeatMatch | null, sim: number, id: number): boolean =>
    m === null || sim > m.similarity || (sim === m.similarity && id > m.orderId);
  for (const c of existing) {
    if (c.categoryCode !== incoming.categoryCode) continue;
    const samePerson = phone !== undefined && normalisePhone(c.requesterPhone) === phone;
    const samePlace = place !== '' && c.location !== undefined && normaliseMatterText(c.location) === place;
    if (!samePerson && !samePlace) continue;
    const sim = matterSimilarity(incoming.content, c.content);
    if (sim < options.threshold) continue;
    if (OPEN.has(c.status)) {
      if (better(open, sim, c.id)) open = { kind: 'merge-into-open', orderId: c.id, similarity: sim };
    } else if (c.status === 'closed' && samePerson) {
      if (better(closed, sim, c.id)) closed = { kind: 'repeat-of-closed', orderId: c.id, similarity: sim };
    }
  }
  return open ?? closed;
}
