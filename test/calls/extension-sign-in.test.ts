import { afterEach, describe, expect, it } from 'vitest';
import { extensionPolicy } from '../../src/calls/agent-extension.ts';
import { Harness } from './harness.ts';

describe('signing in on an extension over socket.io', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses a second agent on a held extension naming the holder, and an extension off the pattern; calls ring only the holder', async () => {
    // Given agent li.wei (李伟) signed in on 1001, whose phone answers
    const names: Record<string, string> = { 'li.wei': '李伟' };
    h = await Harness.start({ extensions: extensionPolicy('^[0-9]{3,6}$', async (id) => names[id]) });
    const holder = await h.agent('li.wei', '1001', { answerAfterMs: 1000 });
    const other = await h.desktop('wang.fang');
    // When another agent signs in on the same extension
    const taken = await other.call('sign-in', { extension: '1001', skills: ['mandarin'] });
    // Then it is refused with 409 naming the holder, and that agent stays signed out
    expect(taken).toEqual({
      ok: false,
      error: {
        statusCode: 409,
        code: 'extension-in-use',
        message: expect.stringContaining('extension 1001 is in use by 李伟 (li.wei)'),
        messageZh: '该分机已被其他坐席签入',
      },
    });
    // And an extension that is not 3 to 6 digits is a 400 naming the pattern, never dialled
    for (const bad of ['abc', '12', 'Local/1001']) {
      const ack = await other.call('sign-in', { extension: bad, skills: ['mandarin'] });
      expect(ack, bad).toEqual({
        ok: false,
        error: {
          statusCode: 400,
          code: 'invalid-extension',
          message: expect.stringContaining('^[0-9]{3,6}$'),
          messageZh: '分机号格式不正确',
        },
      });
    }
    expect(h.layer.controller.agents().map((a) => [a.agentId, a.status])).toEqual([['li.wei', 'ready']]);
    // And a call rings the holder only
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => holder.received('screen-pop').length > 0, 'screen-pop at the holder');
    await h.until(() => holder.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    expect(other.received('screen-pop')).toEqual([]);
    h.sim.control.hangupCall(placed.callerChannelId);
    const callId = holder.last('screen-pop').callId;
    await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'call ended');
    await h.until(() => h!.recordings.byCall(callId).every((r) => r.status === 'archived'), 'recording archived');
  });
});
