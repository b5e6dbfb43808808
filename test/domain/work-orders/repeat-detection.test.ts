import { describe, expect, it } from 'vitest';
import {
  FAST_RESPONSE_TOPICS,
  OPEN_STATUSES,
  TRANSITIONS,
  findRepeat,
  isFastResponseTopic,
  matterSimilarity,
  normalisePhone,
  repeatCandidateOf,
  type RepeatCandidate,
} from '../../../src/domain/work-orders/index.ts';
import { orderIn } from './fixtures.ts';

const base: RepeatCandidate = {
  id: 1,
  status: 'closed',
  requesterPhone: '13812341234',
  categoryCode: 'noise',
  content: '楼下烧烤店深夜噪音扰民',
  location: '青秀区民族大道88号',
};

describe('matterSimilarity', () => {
  it('is 1 for the same text up to punctuation and spaces, 0 for unrelated text', () => {
    expect(matterSimilarity('楼下烧烤店深夜噪音扰民。', ' 楼下烧烤店 深夜噪音扰民')).toBe(1);
    expect(matterSimilarity('楼下烧烤店深夜噪音扰民', '公租房申请材料')).toBe(0);
    expect(matterSimilarity('', 'x')).toBe(0);
  });

  it('is high for a rephrasing of the same matter', () => {
    expect(matterSimilarity('楼下烧烤店深夜噪音扰民', '楼下烧烤店深夜噪音扰民，多次反映未解决')).toBeGreaterThan(0.6);
  });
});

describe('normalisePhone', () => {
  it.each([
    ['138-1234-1234', '13812341234'],
    ['+86 138 1234 1234', '13812341234'],
    ['008613812341234', '13812341234'],
    ['0771-1234567', '07711234567'],
  ])('%s → %s', (raw, want) => expect(normalisePhone(raw)).toBe(want));
});

describe('findRepeat', () => {
  const incoming = { requesterPhone: '+86 138 1234 1234', categoryCode: 'noise', content: '楼下烧烤店深夜噪音扰民！' };

  it('flags the same requester and matter as a lawfully closed order (art. 21(4))', () => {
    expect(findRepeat(incoming, [base])).toEqual({ kind: 'repeat-of-closed', orderId: 1, similarity: 1 });
  });

  it('every order it proposes to merge into can absorb the new one', () => {
    for (const status of OPEN_STATUSES) {
      expect(findRepeat(incoming, [{ ...base, status }])?.kind).toBe('merge-into-open');
      expect(TRANSITIONS.absorb.from).toContain(status);
    }
  });

  it('merges into an open order on the same matter, preferred over a closed one', () => {
    const open = { ...base, id: 2, status: 'signed' as const };
    expect(findRepeat(incoming, [base, open])).toMatchObject({ kind: 'merge-into-open', orderId: 2 });
  });

  it('merges another requester’s demand at the same location into the open order', () => {
    const open = { ...base, id: 3, status: 'dispatched' as const, requesterPhone: '13900000000' };
    const other = { ...incoming, requesterPhone: '13700000000', location: '青秀区 民族大道88号' };
    expect(findRepeat(other, [open])).toMatchObject({ kind: 'merge-into-open', orderId: 3 });
    // … but another requester never makes a closed order a repeat
    expect(findRepeat(other, [{ ...open, status: 'closed' }])).toBeNull();
  });

  it.each([
    ['another category', { ...base, categoryCode: 'traffic' }],
    ['another requester, no location', { ...base, requesterPhone: '13900000000', location: undefined }],
    ['another matter', { ...base, content: '路灯不亮' }],
    ['not lawfully closed (not accepted)', { ...base, status: 'not-accepted' as const }],
    ['merged away', { ...base, status: 'merged' as const }],
  ])('no match for %s', (_l, c) => {
    expect(findRepeat(incoming, [c as RepeatCandidate])).toBeNull();
  });

  it('builds candidates from orders', () => {
    const c = repeatCandidateOf(orderIn('closed'));
    expect(c).toMatchObject({ id: 101, status: 'closed', requesterPhone: '13812341234', categoryCode: 'housing.rent' });
  });
});

describe('fast-response topics (art. 15)', () => {
  it('lists the nine topics of the measure', () => {
    expect(FAST_RESPONSE_TOPICS.map((t) => t.name)).toEqual([
      '噪声污染',
      '交通拥堵',
      '道路阻断',
      '占道经营',
      '露天焚烧',
      '停水停电',
      '公共卫生',
      '自然灾害',
      '办事投诉',
    ]);
    expect(isFastResponseTopic('noise')).toBe(true);
    expect(isFastResponseTopic('housing.rent')).toBe(false);
  });
});
