import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { SoundCatalog, builtInSoundsDir, projectSoundsDir } from '../../src/simulator/sounds.ts';
import { startHarness, type Harness } from './sim-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const control = async (method: string, path: string, body?: unknown, creds = 'cti:cti') => {
  const res = await fetch(h.sim.controlUrl + path, {
    method,
    headers: {
      authorization: 'Basic ' + Buffer.from(creds).toString('base64'),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

describe('caller participants', () => {
  test('a placed call enters Stasis; after answer the script waits for the prompt, then sends DTMF', async () => {
    const ws = await h.connect();
    const placed = await control('POST', '/calls', {
      from: '13812341234',
      callerName: 'Citizen',
      to: '12345',
      script: [
        { kind: 'awaitPrompt', media: 'sound:hello-world' },
        { kind: 'wait', ms: 300 },
        { kind: 'dtmf', digits: '12#' },
        { kind: 'hangup' },
      ],
    });
    expect(placed.status).toBe(201);
    const { pbxChannelId, callerChannelId } = placed.body;
    await h.settle();
    const start = await ws.waitFor((e) => e.type === 'StasisStart');
    expect(start.channel.id).toBe(pbxChannelId);
    expect(start.args).toEqual(['inbound', '12345']);
    expect(start.channel.caller).toEqual({ name: 'Citizen', number: '13812341234' });
    await h.rest('POST', `/channels/${pbxChannelId}/answer`);
    await h.advance(2000);
    expect(ws.events.filter((e) => e.type === 'ChannelDtmfReceived')).toEqual([]);
    await h.rest('POST', `/channels/${pbxChannelId}/play`, { media: 'sound:hello-world' });
    await h.advance(300 + 100 + 3 * 350 + 100);
    const digits = ws.events.filter((e) => e.type === 'ChannelDtmfReceived').map((e) => e.digit);
    expect(digits).toEqual(['1', '2', '#']);
    await h.advance(500);
    // The customer hung up: far-end hangup (cause 16, no soft) then StasisEnd.
    const hr = ws.events.find((e) => e.type === 'ChannelHangupRequest' && e.channel.id === pbxChannelId);
    expect(hr).toMatchObject({ cause: 16 });
    expect(hr.soft).toBeUndefined();
    expect(ws.events.some((e) => e.type === 'StasisEnd' && e.channel.id === pbxChannelId)).toBe(true);
    const log = (await control('GET', `/calls/${callerChannelId}/log`)).body as Array<{ kind: string }>;
    expect(log.map((e) => e.kind)).toEqual(['answered', 'prompt', 'dtmfSent', 'dtmfSent', 'dtmfSent', 'hangup']);
    expect(h.sim.leaks().ok).toBe(true);
  });

  test('hangupAfterMs abandons a call that is never answered', async () => {
    const ws = await h.connect();
    const placed = h.sim.control.placeCall({ from: '555', to: '12345', hangupAfterMs: 5000 });
    await h.settle();
    await ws.waitFor((e) => e.type === 'StasisStart');
    await h.advance(4900);
    expect(ws.events.some((e) => e.type === 'StasisEnd')).toBe(false);
    await h.advance(200);
    expect(ws.events.some((e) => e.type === 'StasisEnd' && e.channel.id === placed.pbxChannelId)).toBe(true);
    expect(h.sim.leaks().ok).toBe(true);
  });
});

describe('agent phones and external parties', () => {
  async function originateAgent(ext: string, ctx = 'agents') {
    return h.rest('POST', '/channels', {
      endpoint: `Local/${ext}@${ctx}`,
      app: 'cti-test',
      channelId: `a-${ext}`,
      otherChannelId: `a-${ext}-2`,
    });
  }

  test('answer after N ms: StasisStart exactly then', async () => {
    const ws = await h.connect();
    expect((await control('PUT', '/phones/1001', { answerAfterMs: 4000 })).status).toBe(204);
    await originateAgent('1001');
    await h.advance(3900);
    expect(ws.events.some((e) => e.type === 'StasisStart')).toBe(false);
    await h.advance(200);
    expect((await ws.waitFor((e) => e.type === 'StasisStart')).channel.id).toBe('a-1001');
  });

  test('busy: Dial BUSY and the originated channel is destroyed with cause 17', async () => {
    const ws = await h.connect();
    h.sim.control.setPhone('1002', { busy: true });
    await originateAgent('1002');
    await h.advance(100);
    expect(ws.events.find((e) => e.type === 'Dial' && e.dialstatus === 'BUSY')).toBeDefined();
    expect(ws.events.find((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'a-1002')).toMatchObject({
      cause: 17,
      cause_txt: 'User busy',
    });
    expect(h.sim.leaks().ok).toBe(true);
  });

  test('never answers: rings until the originate timeout, then NOANSWER', async () => {
    const ws = await h.connect();
    h.sim.control.setPhone('1003', {});
    await h.rest('POST', '/channels', {
      endpoint: 'Local/1003@agents',
      app: 'cti-test',
      channelId: 'a-1003',
      timeout: 20,
    });
    await h.advance(19_000);
    expect((await h.rest('GET', '/channels/a-1003')).body.state).toBe('Ringing');
    await h.advance(1_500);
    expect(ws.events.find((e) => e.type === 'Dial' && e.dialstatus === 'NOANSWER')).toBeDefined();
    expect((await h.rest('GET', '/channels/a-1003')).status).toBe(404);
  });

  test('hangs up N ms after answering: the agent leg gets a far-end hangup', async () => {
    const ws = await h.connect();
    h.sim.control.setPhone('1004', { answerAfterMs: 1000, hangupAfterMs: 3000 });
    await originateAgent('1004');
    await h.advance(1600);
    await ws.waitFor((e) => e.type === 'StasisStart');
    await h.advance(3000);
    const hr = ws.events.find((e) => e.type === 'ChannelHangupRequest' && e.channel.id === 'a-1004');
    expect(hr).toMatchObject({ cause: 16 });
    expect(ws.events.some((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'a-1004')).toBe(true);
  });

  test('external party (110) answers after its configured delay', async () => {
    const ws = await h.connect();
    expect((await control('PUT', '/externals/110', { answerAfterMs: 2500 })).status).toBe(204);
    await originateAgent('110', 'external');
    await h.advance(2400);
    expect(ws.events.some((e) => e.type === 'StasisStart')).toBe(false);
    await h.advance(200);
    expect((await ws.waitFor((e) => e.type === 'StasisStart')).channel.id).toBe('a-110');
  });
});

describe('control API input and state', () => {
  test('bad input is refused with 400 and the reason; wrong credentials 401; unknown route 404', async () => {
    expect((await control('POST', '/calls', '{bad')).status).toBe(400);
    const unknown = await control('POST', '/calls', { from: '1', to: '2', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('colour');
    const wrongType = await control('PUT', '/phones/1001', { answerAfterMs: 'soon' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toContain('answerAfterMs');
    expect((await control('POST', '/calls', { from: '1', to: '2', script: [{ kind: 'dance' }] })).status).toBe(400);
    expect((await control('POST', '/faults/fail-next', { status: 200 })).status).toBe(400);
    expect((await control('GET', '/state', undefined, 'cti:nope')).status).toBe(401);
    expect((await control('GET', '/nope')).status).toBe(404);
  });

  test('state lists channels, bridges and registered apps; reset clears everything', async () => {
    await h.connect();
    h.sim.control.placeCall({ from: '555', to: '100' });
    await h.rest('POST', '/bridges', { bridgeId: 'b1' });
    await h.settle();
    const state = (await control('GET', '/state')).body;
    expect(state.channels).toHaveLength(2);
    expect(state.bridges.map((b: { id: string }) => b.id)).toEqual(['b1']);
    expect(state.apps).toEqual(['cti-test']);
    expect((await control('GET', '/leaks')).body.ok).toBe(false);
    expect((await control('POST', '/reset')).status).toBe(204);
    expect((await control('GET', '/leaks')).body).toEqual({
      ok: true,
      channels: [],
      bridges: [],
      playbacks: [],
      recordings: [],
    });
  });
});

describe('a caller script waiting for a prompt', () => {
  test('a prompt name no playback can be is refused with 400 naming the valid ones; a real one is placed', async () => {
    // Given the PBX with the project's prompts (as `npm start` runs it),
    await h.close();
    h = await startHarness({ soundsDirs: [projectSoundsDir()] });
    // when a script waits for the menu's prompt id as the docs used to write it,
    const wrong = await control('POST', '/calls', {
      from: '13812341234',
      to: '12345',
      script: [
        { kind: 'awaitPrompt', media: 'sound:zh/desk-choice' },
        { kind: 'dtmf', digits: '1' },
      ],
    });
    // then it is refused, naming the prompt and the valid names, and no call was placed.
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toContain('script[0]: no prompt "zh/desk-choice"');
    expect(wrong.body.message).toContain('hotline/desk-choice');
    expect(wrong.body.valid).toEqual(
      expect.arrayContaining(['hotline/desk-choice', 'hotline/emergency-advice', 'hello-world', 'digits/1']),
    );
    expect(wrong.body.valid).not.toContain('hotline/zh/desk-choice');
    expect((await control('GET', '/state')).body.channels).toEqual([]);
    // The bare form (in-process API) is checked the same way.
    expect(() =>
      h.sim.control.placeCall({ from: '1', to: '2', script: [{ kind: 'awaitPrompt', media: 'zh/emergency-advice' }] }),
    ).toThrow(/no prompt "zh\/emergency-advice"/);

    // Names that do play are accepted: `sound:` alone (any prompt), the played name, other media kinds unchecked.
    for (const media of ['sound:', 'sound:hotline/desk-choice', 'hotline/emergency-advice', 'tone:ring']) {
      const ok = await control('POST', '/calls', {
        from: '13812341234',
        to: '12345',
        script: [{ kind: 'awaitPrompt', media }],
      });
      expect(ok.status, media).toBe(201);
    }
    expect((await control('POST', '/reset')).status).toBe(204);
    expect(h.sim.leaks().ok).toBe(true);
  });

  test('the --dtmf examples in the docs name prompts the menu plays', () => {
    const playable = new SoundCatalog([projectSoundsDir(), builtInSoundsDir()]).playableNames();
    const examples = ['docs/calls.md', 'docs/ui.md', 'scripts/place-call.ts'].flatMap((f) =>
      [...readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8').matchAll(/--dtmf (\S+)/g)].map((m) => ({
        f,
        groups: m[1]!.split(','),
      })),
    );
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const { f, groups } of examples) {
      for (const g of groups) {
        const prompt = /^(.+)=[0-9*#]+$/.exec(g)?.[1];
        if (prompt !== undefined) expect(playable, `${f}: ${g}`).toContain(prompt);
      }
    }
    expect(h.sim.leaks().ok).toBe(true);
  });
});
