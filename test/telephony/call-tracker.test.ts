import { describe, expect, it } from 'vitest';
import { CallTracker } from '../../src/telephony/ari/call-tracker.ts';
import type { AriEvent } from '../../src/telephony/ari/events.ts';
import type { ReconcileSnapshot } from '../../src/telephony/ari/reconcile.ts';
import { channel, event } from './helpers/stub-ari.ts';

const ev = (type: string, fields: Record<string, unknown>) => event(type, fields) as unknown as AriEvent;
const snap = (ids: string[], n = 2): ReconcileSnapshot => ({
  app: 'cti-test',
  channels: ids.map((id) => channel(id)) as never,
  bridges: [],
  takenAt: 0,
  connectionNumber: n,
});

describe('CallTracker', () => {
  it('tracks a call from StasisStart to StasisEnd and counts its events', () => {
    const t = new CallTracker('cti-test');
    t.handle(ev('StasisStart', { args: [], channel: channel('c1') }));
    t.handle(ev('ChannelStateChange', { channel: channel('c1', { state: 'Up' }) }));
    t.handle(ev('ChannelDestroyed', { cause: 16, cause_txt: 'Normal Clearing', channel: channel('other') }));
    expect(t.active.get('c1')).toMatchObject({ state: 'Up', events: { StasisStart: 1, ChannelStateChange: 1 } });
    t.handle(ev('StasisEnd', { channel: channel('c1') }));
    expect(t.active.size).toBe(0);
    expect(t.ended.get('c1')).toMatchObject({
      endedBy: 'StasisEnd',
      events: { StasisStart: 1, ChannelStateChange: 1, StasisEnd: 1 },
    });
  });

  it('reconcile adopts Stasis channels it did not know and ends the ones that vanished', () => {
    const t = new CallTracker('cti-test');
    t.handle(ev('StasisStart', { args: [], channel: channel('gone') }));
    t.handle(ev('StasisStart', { args: [], channel: channel('kept') }));
    const notInStasis = channel('dialplan-half', {
      dialplan: { context: 'x', exten: 's', priority: 1, app_name: 'Wait', app_data: '3600' },
    });
    t.reconcile({ ...snap(['kept', 'new']), channels: [...snap(['kept', 'new']).channels, notInStasis as never] });
    expect([...t.active.keys()].sort()).toEqual(['kept', 'new']);
    expect(t.active.get('new')!.origin).toBe('reconcile');
    expect(t.active.get('kept')!.origin).toBe('event');
    expect(t.ended.get('gone')!.endedBy).toBe('vanished');
    // a StasisStart that was buffered during the reconcile does not open the adopted call twice
    t.handle(ev('StasisStart', { args: [], channel: channel('new') }));
    expect(t.active.get('new')!.events).toEqual({ StasisStart: 1 });
  });

  it('an end overtaking its start (reordered delivery) does not leave a call open', () => {
    const t = new CallTracker('cti-test');
    t.handle(ev('StasisEnd', { channel: channel('r1') }));
    t.handle(ev('StasisStart', { args: [], channel: channel('r1') }));
    expect(t.active.size).toBe(0);
    expect(t.ended.get('r1')!.endedBy).toBe('StasisEnd');
  });
});
