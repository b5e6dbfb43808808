import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { encodeWav, synthesizeTone, wavDurationMs } from '../../src/simulator/wav.ts';
import { startHarness, type Harness } from './sim-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function inboundCall(ext = '300'): Promise<string> {
  const r = await h.rest('POST', '/channels', {
    endpoint: `Local/${ext}@cti-inbound`,
    context: 'test',
    extension: ext,
  });
  await h.settle();
  return h.sim.engine.localPeer(r.body.id) ?? '';
}

describe('fault injection', () => {
  test('dropped WebSocket: channels stay in Stasis, a new connection gets events again', async () => {
    const ws = await h.connect();
    const id = await inboundCall();
    const closed = new Promise<number>((r) => ws.ws.once('close', (code) => r(code)));
    expect(h.sim.faults.dropWebSockets()).toBe(1);
    expect(await closed).toBe(1006);
    await h.settle();
    expect(h.sim.engine.appNames()).toEqual([]);
    expect((await h.rest('GET', `/channels/${id}`)).body.dialplan.app_name).toBe('Stasis');
    const ws2 = await h.connect();
    await h.rest('POST', `/channels/${id}/answer`);
    await ws2.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === id);
  });

  test('refuse connections for N ms of clock time, then accept again', async () => {
    h.sim.faults.refuseConnections(10_000);
    await expect(h.connect()).rejects.toThrow();
    await expect(h.rest('GET', '/channels')).rejects.toThrow();
    await h.advance(10_001);
    expect((await h.rest('GET', '/channels')).status).toBe(200);
    await h.connect();
  });

  test('refuse with http503 answers 503 instead of resetting', async () => {
    h.sim.faults.refuseConnections(1000, 'http503');
    expect((await h.rest('GET', '/channels')).status).toBe(503);
  });

  test('restart: every channel vanishes without StasisEnd, WebSocket dropped, startup time moves', async () => {
    const ws = await h.connect();
    await inboundCall();
    await h.rest('POST', '/bridges', { bridgeId: 'b' });
    const before = (await h.rest('GET', '/asterisk/info')).body.status.startup_time;
    const closed = new Promise<void>((r) => ws.ws.once('close', () => r()));
    await h.advance(2000);
    h.sim.faults.restart({ downMs: 5000 });
    await closed;
    expect(ws.events.some((e) => e.type === 'StasisEnd' || e.type === 'ChannelDestroyed')).toBe(false);
    await expect(h.rest('GET', '/channels')).rejects.toThrow();
    await h.advance(5001);
    expect((await h.rest('GET', '/channels')).body).toEqual([]);
    expect((await h.rest('GET', '/bridges')).body).toEqual([]);
    expect((await h.rest('GET', '/asterisk/info')).body.status.startup_time).not.toBe(before);
    expect(h.sim.leaks().ok).toBe(true);
  });

  test('delay the next REST call by clock time; fail the next one with a given status', async () => {
    h.sim.faults.delayNextRest(3000, { method: 'GET', pathPrefix: '/channels' });
    let done = false;
    const p = h.rest('GET', '/channels').then((r) => {
      done = true;
      return r;
    });
    await h.advance(2900);
    expect(done).toBe(false);
    await h.advance(200);
    expect((await p).status).toBe(200);
    h.sim.faults.failNextRest(503, { body: { message: 'boom' } });
    const failed = await h.rest('GET', '/asterisk/ping');
    expect(failed.status).toBe(503);
    expect(failed.body).toEqual({ message: 'boom' });
    expect((await h.rest('GET', '/asterisk/ping')).status).toBe(200);
  });

  test('a REST call delayed forever never answers (until close)', async () => {
    h.sim.faults.delayNextRest(Infinity);
    const ctrl = new AbortController();
    const p = fetch(h.sim.ariUrl + '/channels', {
      headers: { authorization: 'Basic ' + Buffer.from('cti:cti').toString('base64') },
      signal: ctrl.signal,
    });
    await h.advance(60_000);
    setTimeout(() => ctrl.abort(), 50);
    await expect(p).rejects.toThrow();
  });

  test('duplicate and reorder events', async () => {
    const ws = await h.connect();
    h.sim.faults.duplicateEvents(1);
    const id = await inboundCall();
    await ws.waitFor((e) => e.type === 'StasisStart');
    expect(ws.events.filter((e) => e.type === 'StasisStart')).toHaveLength(2);
    h.sim.faults.reorderEvents(2);
    await h.rest('DELETE', `/channels/${id}`);
    await h.settle();
    expect(ws.events.slice(-2).map((e) => e.type)).toEqual(['ChannelHangupRequest', 'StasisEnd'].reverse());
  });
});

describe('leak check', () => {
  test('reports channels, bridges, playbacks and live recordings left, and is clean after cleanup', async () => {
    await h.connect();
    const id = await inboundCall();
    await h.rest('POST', `/channels/${id}/answer`);
    await h.rest('POST', '/bridges', { bridgeId: 'leaky' });
    await h.rest('POST', `/channels/${id}/play`, { media: 'sound:tt-monkeys', playbackId: 'pb-leak' });
    await h.rest('POST', `/channels/${id}/record`, { name: 'rec-leak', format: 'wav' });
    await h.settle();
    const report = h.sim.leaks();
    expect(report.ok).toBe(false);
    expect(report.channels.map((c) => c.id)).toContain(id);
    expect(report.bridges).toEqual([{ id: 'leaky', channels: [] }]);
    expect(report.playbacks).toEqual([{ id: 'pb-leak', target_uri: `channel:${id}` }]);
    expect(report.recordings).toEqual([{ name: 'rec-leak', target_uri: `channel:${id}` }]);
    await h.rest('DELETE', `/channels/${id}`);
    await h.rest('DELETE', '/bridges/leaky');
    await h.settle();
    expect(h.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  });
});

describe('media timing on the injected clock', () => {
  test('a playback lasts as long as its WAV file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-sounds-'));
    writeFileSync(join(dir, 'custom-prompt.wav'), encodeWav(synthesizeTone(2500, [400])));
    await h.close();
    h = await startHarness({ soundsDirs: [dir] });
    const ws = await h.connect();
    const id = await inboundCall();
    await h.rest('POST', `/channels/${id}/play`, { media: 'sound:custom-prompt', playbackId: 'p1' });
    await h.settle();
    await ws.waitFor((e) => e.type === 'PlaybackStarted');
    await h.advance(2499);
    expect(ws.events.some((e) => e.type === 'PlaybackFinished')).toBe(false);
    expect((await h.rest('GET', '/playbacks/p1')).body.state).toBe('playing');
    await h.advance(2);
    expect((await ws.waitFor((e) => e.type === 'PlaybackFinished')).playback.state).toBe('done');
    expect((await h.rest('GET', '/playbacks/p1')).status).toBe(404);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a recording is a valid 8 kHz 16-bit WAV as long as the talk time (pause excluded)', async () => {
    const ws = await h.connect();
    const id = await inboundCall();
    await h.rest('POST', `/channels/${id}/answer`);
    await h.rest('POST', `/channels/${id}/record`, { name: 'talk', format: 'wav' });
    await h.advance(3000);
    await h.rest('POST', '/recordings/live/talk/pause');
    await h.advance(5000);
    await h.rest('DELETE', '/recordings/live/talk/pause');
    await h.advance(1700);
    await h.rest('POST', '/recordings/live/talk/stop');
    const fin = await ws.waitFor((e) => e.type === 'RecordingFinished');
    expect(fin.recording.duration).toBe(4);
    const file = await fetch(h.sim.ariUrl + '/recordings/stored/talk/file', {
      headers: { authorization: 'Basic ' + Buffer.from('cti:cti').toString('base64') },
    });
    expect(file.headers.get('content-type')).toBe('audio/wav');
    const buf = Buffer.from(await file.arrayBuffer());
    expect(buf.readUInt32LE(24)).toBe(8000);
    expect(buf.readUInt16LE(34)).toBe(16);
    expect(wavDurationMs(buf)).toBe(4700);
  });
});

describe('app unavailable while an originated leg is answered', () => {
  test('the leg dies (no Stasis to enter); after reconnecting the same channelId can be originated again', async () => {
    const ws = await h.connect();
    h.sim.control.setPhone('1001', { answerAfterMs: 2000 });
    await h.rest('POST', '/channels', { endpoint: 'Local/1001@agents', app: 'cti-test', channelId: 'leg-1' });
    await h.advance(500);
    h.sim.faults.dropWebSockets();
    h.sim.faults.refuseConnections(5000);
    await h.advance(2000);
    expect(h.sim.engine.getChannel('leg-1')).toBeUndefined();
    expect(h.sim.leaks().ok).toBe(true);
    await h.advance(3001);
    const ws2 = await h.connect();
    expect(
      (await h.rest('POST', '/channels', { endpoint: 'Local/1001@agents', app: 'cti-test', channelId: 'leg-1' }))
        .status,
    ).toBe(200);
    await h.advance(2600);
    expect((await ws2.waitFor((e) => e.type === 'StasisStart')).channel.id).toBe('leg-1');
    expect(ws.events.some((e) => e.type === 'StasisStart')).toBe(false);
  });
});
