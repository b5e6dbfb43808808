import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultBackoff } from '../../src/telephony/ari/backoff.ts';
import { EventDeduplicator } from '../../src/telephony/ari/event-dedup.ts';
import type { AriEvent } from '../../src/telephony/ari/events.ts';
import { framePreview, parseAriFrame } from '../../src/telephony/ari/parse-event.ts';
import { isInStasisApp } from '../../src/telephony/ari/reconcile.ts';
import { channel, event } from './helpers/stub-ari.ts';

describe('parseAriFrame', () => {
  it('accepts a known event with its channel', () => {
    const r = parseAriFrame(JSON.stringify(event('StasisStart', { args: ['inbound'], channel: channel('c1') })));
    expect(r.ok && r.event.type).toBe('StasisStart');
  });

  it('passes an unknown event type through untouched', () => {
    const r = parseAriFrame(
      JSON.stringify({ type: 'ChannelTalkingStarted', timestamp: 't', application: 'a', channel: { id: 'x' } }),
    );
    expect(r).toEqual({
      ok: true,
      event: { type: 'ChannelTalkingStarted', timestamp: 't', application: 'a', channel: { id: 'x' } },
    });
  });

  it.each([
    ['{not json', 'not JSON'],
    ['[1,2]', 'not a JSON object'],
    ['"StasisStart"', 'not a JSON object'],
    ['{"timestamp":"x"}', 'missing string field "type"'],
    ['{"type":"StasisStart","timestamp":"x"}', 'StasisStart without channel.id'],
    ['{"type":"ChannelLeftBridge","bridge":{"id":"b"},"channel":{"id":7}}', 'ChannelLeftBridge without channel.id'],
    ['{"type":"RecordingFinished","recording":{}}', 'RecordingFinished without recording.name'],
  ])('rejects %s', (frame, reason) => {
    const r = parseAriFrame(frame);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('masks phone numbers in the preview of a malformed frame', () => {
    const preview = framePreview('{"type":"StasisStart","caller":{"number":"13812341234"}');
    expect(preview).toContain('138****1234');
    expect(preview).not.toContain('13812341234');
    expect(framePreview('x'.repeat(500)).length).toBeLessThanOrEqual(121);
  });
});

describe('EventDeduplicator', () => {
  const admit = (d: EventDeduplicator, e: Record<string, unknown>) =>
    d.admit(e as unknown as AriEvent, JSON.stringify(e));

  it('drops a frame received twice', () => {
    const d = new EventDeduplicator();
    const e = event('ChannelDtmfReceived', { digit: '1', duration_ms: 100, channel: channel('c1') });
    expect(admit(d, e)).toBe(true);
    expect(admit(d, e)).toBe(false);
    expect(admit(d, JSON.parse(JSON.stringify(e)) as Record<string, unknown>)).toBe(false);
  });

  it('keeps events that differ in type, ids, timestamp or content', () => {
    const d = new EventDeduplicator();
    const base = event('ChannelDtmfReceived', { digit: '1', duration_ms: 100, channel: channel('c1') });
    expect(admit(d, base)).toBe(true);
    expect(admit(d, { ...base, digit: '2' })).toBe(true);
    expect(admit(d, { ...base, channel: channel('c2') })).toBe(true);
    expect(admit(d, { ...base, timestamp: 'other' })).toBe(true);
    expect(admit(d, { ...base, type: 'Other' })).toBe(true);
  });

  it('never deduplicates frames without a timestamp and stays bounded', () => {
    const d = new EventDeduplicator(10);
    const e = { type: 'X', timestamp: '', application: 'a' };
    expect(admit(d, e)).toBe(true);
    expect(admit(d, e)).toBe(true);
    for (let i = 0; i < 100; i++) admit(d, { type: 'X', timestamp: `t${i}`, application: 'a' });
    expect(d.size).toBeLessThanOrEqual(10);
    // the oldest were forgotten, the newest are still known
    expect(admit(d, { type: 'X', timestamp: 't99', application: 'a' })).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, caps at 30 s and jitters between half and full delay', () => {
    const lo = { ...defaultBackoff, random: () => 0 };
    const hi = { ...defaultBackoff, random: () => 0.999999 };
    expect(backoffDelay(0, lo)).toBe(250);
    expect(backoffDelay(0, hi)).toBe(500);
    expect(backoffDelay(3, hi)).toBe(4000);
    expect(backoffDelay(10, lo)).toBe(15_000);
    expect(backoffDelay(10, hi)).toBe(30_000);
    expect(backoffDelay(10_000, hi)).toBe(30_000);
  });
});

describe('isInStasisApp', () => {
  it('matches Stasis(app) and Stasis(app,args) but not another app or dialplan', () => {
    expect(isInStasisApp(channel('a') as never, 'cti-test')).toBe(true);
    const other = channel('b', {
      dialplan: { context: 'x', exten: 's', priority: 1, app_name: 'Stasis', app_data: 'cti-test2,x' },
    });
    expect(isInStasisApp(other as never, 'cti-test')).toBe(false);
    const queue = channel('c', {
      dialplan: { context: 'x', exten: 's', priority: 1, app_name: 'Queue', app_data: 'agents' },
    });
    expect(isInStasisApp(queue as never, 'cti-test')).toBe(false);
  });
});
