import { describe, expect, it } from 'vitest';
import { renderEngineEvent } from '../../src/simulator/ami-event-renderer.ts';
import { at, channel } from './stub-engine.ts';

const keys = (m: readonly (readonly [string, string])[]) => m.map(([k]) => k);

describe('AMI event renderer', () => {
  it('a global VarSet names no channel and C-escapes the value as Asterisk does', () => {
    const [r] = renderEngineEvent({ ...at(), type: 'varSet', variable: 'X', value: 'a\nb"c?' });
    expect(r!.message).toEqual([
      ['Event', 'VarSet'],
      ['Privilege', 'dialplan,all'],
      ['Channel', 'none'],
      ['Uniqueid', 'none'],
      ['Variable', 'X'],
      ['Value', 'a\\nb\\"c\\?'],
    ]);
  });

  it('a dial from a calling channel carries its block unprefixed before the Dest block', () => {
    const caller = channel('PJSIP/trunk-00000001', 'c1', 'Up');
    const peer = channel('PJSIP/1001-00000002', 'p1', 'Down');
    const [r] = renderEngineEvent({ ...at(), type: 'dialBegin', caller, peer, dialstring: '1001' });
    const k = keys(r!.message);
    expect(k.slice(0, 3)).toEqual(['Event', 'Privilege', 'Channel']);
    expect(k.indexOf('Linkedid')).toBeLessThan(k.indexOf('DestChannel'));
    expect(k.at(-1)).toBe('DialString');
  });

  it('ARI-only engine events render nothing on AMI', () => {
    const ch = channel('Local/1@x-00000001;2', 'i', 'Up');
    expect(renderEngineEvent({ ...at(), type: 'stasisStart', channel: ch, application: 'a', args: [] })).toEqual([]);
    expect(renderEngineEvent({ ...at(), type: 'pbxRestarted' })).toEqual([]);
  });

  it('DTMF and hold events use the dtmf and call classes with Asterisk 22 field names', () => {
    const ch = channel('Local/1@x-00000001;2', 'i', 'Up');
    const [end] = renderEngineEvent({
      ...at(),
      type: 'dtmfEnd',
      channel: ch,
      digit: '5',
      durationMs: 120,
      direction: 'Received',
    });
    expect(end!.eventClass).toBe('dtmf');
    expect(keys(end!.message).slice(-3)).toEqual(['Digit', 'DurationMs', 'Direction']);
    const [hold] = renderEngineEvent({ ...at(), type: 'hold', channel: ch, musicClass: 'default' });
    expect([hold!.name, keys(hold!.message).at(-1)]).toEqual(['Hold', 'MusicClass']);
  });
});
