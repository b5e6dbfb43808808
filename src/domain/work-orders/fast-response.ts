/**
 * Art. 15: the demands handled under 接诉即办 (fast response), for seeding the category tree's `fastResponse`
 * flags. Codes are this project's; names are the measure's words.
 */
export const FAST_RESPONSE_TOPICS = Object.freeze([
  { code: 'noise', name: '噪声污染', english: 'noise pollution' },
  { code: 'traffic-jam', name: '交通拥堵', english: 'traffic jam' },
  { code: 'road-blocked', name: '道路阻断', english: 'road blocked' },
  { code: 'street-vending', name: '占道经营', english: 'street vending' },
  { code: 'open-burning', name: '露天焚烧', english: 'open burning' },
  { code: 'water-power-cut', name: '停水停电', english: 'water or power cut' },
  { code: 'public-health', name: '公共卫生', english: 'public health' },
  { code: 'natural-disaster', name: '自然灾害', english: 'natural disaster' },
  { code: 'service-complaint', name: '办事投诉', english: 'complaint about a public service' },
] as const);

export type FastResponseTopic = (typeof FAST_RESPONSE_TOPICS)[number]['code'];

export function isFastResponseTopic(code: string): code is FastResponseTopic {
  return FAST_RESPONSE_TOPICS.some((t) => t.code === code);
}
