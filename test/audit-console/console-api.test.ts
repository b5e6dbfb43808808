import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { bearer, startTestServer, tokenFor, type TestServer } from '../platform/helpers.ts';
import { archiveCall, untar } from './fixtures.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const MIN = 60_000;

describe('auditor console API: search, timeline, playback with seeking, evidence package, access log', () => {
  let s: TestServer;
  let auditor: string;
  let supervisor: string;
  let admin: string;
  let agent: string;
  let orderId: string;
  let wav: Buffer;
  const clock = new FakeClock(T0 + 86_400_000);

  beforeAll(async () => {
    s = await startTestServer({ clock });
    [auditor, supervisor, admin, agent] = [
      await tokenFor(s, 'auditor'),
      await tokenFor(s, 'supervisor'),
      await tokenFor(s, 'admin'),
      await tokenFor(s, 'agent'),
    ];
    // Given five archived calls: three from 13812341234 (one a fallback call), one from another mobile
    // ending in the same 4 digits, one from a 7-digit number ending in them too.
    wav = archiveCall(s, {
      callId: 'k1',
      name: 'rec-k1',
      callerNumber: '13812341234',
      agentId: 'zhang.wei',
      arrivedAt: T0,
      durationMs: 3_000,
      transferTo: '13900002222',
    });
    archiveCall(s, {
      callId: 'k2',
      name: 'rec-k2',
      callerNumber: '13812341234',
      agentId: 'li.na',
      arrivedAt: T0 + 10 * MIN,
      durationMs: 1_000,
    });
    archiveCall(s, {
      callId: 'k3',
      name: 'rec-k3',
      callerNumber: '13812341234',
      agentId: 'li.na',
      arrivedAt: T0 + 20 * MIN,
      durationMs: 2_000,
      fallback: true,
      outcome: 'info_only',
    });
    archiveCall(s, {
      callId: 'k4',
      name: 'rec-k4',
      callerNumber: '13999991234',
      agentId: 'zhang.wei',
      arrivedAt: T0 + 30 * MIN,
      durationMs: 1_500,
    });
    archiveCall(s, {
      callId: 'k5',
      name: 'rec-k5',
      callerNumber: '5551234',
      agentId: 'zhang.wei',
      arrivedAt: T0 + 40 * MIN,
      durationMs: 1_200,
    });
    // Recorded by the supervisor: an agent records orders only from calls they took (k1 was zhang.wei's).
    const order = await s.app.inject({
      method: 'POST',
      url: '/work-orders',
      headers: bearer(supervisor),
      payload: {
        channel: 'phone',
        callId: 'k1',
        type: 'complaint',
        requesterPhone: '13812341234',
        content: '小区门口夜间施工噪音扰民',
        category: 'environment.noise',
      },
    });
    expect(order.statusCode, order.body).toBe(201);
    orderId = String((order.json() as { order: { id: number } }).order.id);
    new CallsRepo(s.store.db).linkWorkOrder('k1', orderId, T0 + MIN);
  });
  afterAll(async () => {
    await s?.cleanup();
  });

  const search = (token: string, q: string) =>
    s.app.inject({ method: 'GET', url: `/recordings/search?${q}`, headers: bearer(token) });
  const names = (res: { json(): unknown }) =>
    (res.json() as { items: Array<{ name: string }> }).items.map((i) => i.name);

  it('searches by full number: results masked for an auditor, in full for a supervisor', async () => {
    const res = await search(auditor, 'number=13812341234');
    expect(res.statusCode).toBe(200);
    expect(names(res)).toEqual(['rec-k3', 'rec-k2', 'rec-k1']);
    expect(res.body).not.toContain('13812341234');
    expect(res.json().items[0]).toMatchObject({
      callerNumber: '138****1234',
      agentId: 'li.na',
      outcome: 'info_only',
      fallback: true,
      durationMs: 2_000,
    });
    expect(res.json().items[0].path).toBeUndefined();
    const sup = await search(supervisor, 'number=13812341234');
    expect(sup.json().items[0].callerNumber).toBe('13812341234');
  });

  it('searches by the last 4 digits only where the masked number shows them (8 digits or more)', async () => {
    expect(names(await search(auditor, 'last4=1234'))).toEqual(['rec-k4', 'rec-k3', 'rec-k2', 'rec-k1']);
    // Middle digits or a short prefix are not a search: they would reveal what the mask hides.
    const partial = await search(auditor, 'number=1234');
    expect(partial.statusCode).toBe(200);
    expect(names(partial)).toEqual([]);
    const middle = await search(auditor, 'last4=12');
    expect(middle.statusCode).toBe(400);
    expect(middle.json().message).toMatch(/last4/);
    expect((await search(auditor, 'number=13812341234&last4=1234')).json().code).toBe('number-and-last4');
  });

  it('filters by agent, work order, date range, duration, outcome and fallback', async () => {
    expect(names(await search(auditor, 'agent=li.na'))).toEqual(['rec-k3', 'rec-k2']);
    expect(names(await search(auditor, `workOrder=${orderId}`))).toEqual(['rec-k1']);
    expect(names(await search(auditor, `from=${T0 + 5 * MIN}&to=${T0 + 25 * MIN}`))).toEqual(['rec-k3', 'rec-k2']);
    expect(names(await search(auditor, 'minDurationMs=1500&maxDurationMs=2500'))).toEqual(['rec-k4', 'rec-k3']);
    expect(names(await search(auditor, 'outcome=info_only'))).toEqual(['rec-k3']);
    expect(names(await search(auditor, 'fallback=true'))).toEqual(['rec-k3']);
    expect(names(await search(auditor, 'fallback=false&agent=zhang.wei&last4=1234'))).toEqual(['rec-k4', 'rec-k1']);
    const backwards = await search(auditor, `from=${T0}&to=${T0 - 1}`);
    expect(backwards.json().code).toBe('invalid-range');
    expect((await search(auditor, 'minDurationMs=5&maxDurationMs=1')).json().code).toBe('invalid-duration-range');
  });

  it('given a recording under legal hold, when searching held=true or held=false, then only the held one or only the others', async () => {
    expect((await search(auditor, '')).json().heldFilter).toBe(true);
    const hold = await s.app.inject({
      method: 'POST',
      url: '/recordings/rec-k2/hold',
      headers: bearer(auditor),
      payload: { reason: '投诉调查中', caseRef: 'TS-2026-001' },
    });
    expect(hold.statusCode, hold.body).toBe(200);
    const held = await search(auditor, 'held=true');
    expect(names(held)).toEqual(['rec-k2']);
    expect(held.json().items[0].held).toBe(true);
    expect(names(await search(auditor, 'held=false'))).toEqual(['rec-k5', 'rec-k4', 'rec-k3', 'rec-k1']);
  });

  it('pages with a keyset cursor: no row twice, none skipped, a bad cursor is a 400', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await search(auditor, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...names(res));
      cursor = res.json().nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(['rec-k5', 'rec-k4', 'rec-k3', 'rec-k2', 'rec-k1']);
    expect(cursor).toBeNull();
    const bad = await search(auditor, 'cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('invalid-cursor');
  });

  it('shows the call timeline beside the recording: IVR choices, queue, offer, answer, transfer, end', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/recordings/rec-k1/details', headers: bearer(auditor) });
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.timeline.map((t: { kind: string }) => t.kind)).toEqual([
      'arrived',
      'ivr-choice',
      'ivr-choice',
      'ivr-exit',
      'queued',
      'offered',
      'answered',
      'transfer',
      'transfer-answered',
      'ended',
    ]);
    expect(d.timeline[1]).toMatchObject({ detail: 'desk-choice', digit: '1', label: '普通话' });
    expect(d.timeline[7].detail).toBe('139****2222');
    expect(d.call.callerNumber).toBe('138****1234');
    expect(d.workOrders).toHaveLength(1);
    expect(d.workOrders[0].requester.phone).toBe('138****1234');
    expect(res.body).not.toContain('13812341234');
    expect(res.body).not.toContain('13900002222');
    expect(
      (await s.app.inject({ method: 'GET', url: '/recordings/nope/details', headers: bearer(auditor) })).statusCode,
    ).toBe(404);
  });

  it('plays with seeking: a ticket for one recording, Range requests answered 206, expired or foreign tickets 401', async () => {
    const start = await s.app.inject({
      method: 'POST',
      url: '/recordings/rec-k1/playback',
      headers: bearer(auditor),
      payload: {},
    });
    expect(start.statusCode).toBe(200);
    const { url } = start.json() as { url: string };
    expect(url).toMatch(/^\/recordings\/rec-k1\/stream\?ticket=/);
    const whole = await s.app.inject({ method: 'GET', url });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['content-type']).toBe('audio/wav');
    expect(sha256(whole.rawPayload)).toBe(sha256(wav));
    const part = await s.app.inject({ method: 'GET', url, headers: { range: 'bytes=100-199' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${wav.length}`);
    expect(part.rawPayload.equals(wav.subarray(100, 200))).toBe(true);
    const tail = await s.app.inject({ method: 'GET', url, headers: { range: 'bytes=-10' } });
    expect(tail.rawPayload.equals(wav.subarray(wav.length - 10))).toBe(true);
    const outside = await s.app.inject({ method: 'GET', url, headers: { range: `bytes=${wav.length}-` } });
    expect(outside.statusCode).toBe(416);
    expect(outside.headers['content-range']).toBe(`bytes */${wav.length}`);
    // The ticket is for rec-k1 only, and is refused once expired.
    const foreign = await s.app.inject({ method: 'GET', url: url.replace('rec-k1', 'rec-k2') });
    expect(foreign.statusCode).toBe(401);
    expect(foreign.json().code).toBe('invalid-ticket');
    const forged = await s.app.inject({ method: 'GET', url: `${url}x` });
    expect(forged.statusCode).toBe(401);
    expect((await s.app.inject({ method: 'GET', url: '/recordings/rec-k1/stream' })).statusCode).toBe(400);
    clock.advance(11 * MIN);
    const expired = await s.app.inject({ method: 'GET', url });
    expect(expired.statusCode).toBe(401);
  });

  it('the authenticated download honours Range too (206)', async () => {
    const part = await s.app.inject({
      method: 'GET',
      url: '/recordings/rec-k2/file',
      headers: { ...bearer(auditor), range: 'bytes=0-43' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(part.headers['content-length']).toBe('44');
  });

  it('downloads an evidence package: audio, call JSON with work orders, checksums that verify', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/recordings/rec-k1/package', headers: bearer(auditor) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-tar');
    expect(res.headers['x-content-sha256']).toBe(sha256(res.rawPayload));
    const files = untar(res.rawPayload);
    expect([...files.keys()]).toEqual(['manifest.json', 'call.json', 'audio/rec-k1.wav', 'SHA256SUMS']);
    expect(files.get('audio/rec-k1.wav')!.equals(wav)).toBe(true);
    // Every line of SHA256SUMS matches its file, as `sha256sum -c` would check.
    const sums = files.get('SHA256SUMS')!.toString().trim().split('\n');
    expect(sums).toHaveLength(3);
    for (const line of sums) {
      const [hash, name] = line.split('  ');
      expect(sha256(files.get(name!)!), name).toBe(hash);
    }
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    expect(manifest).toMatchObject({
      format: 'hotline-evidence/1',
      recording: 'rec-k1',
      callId: 'k1',
      recordingChecksums: { sha256: sha256(wav) },
      chain: expect.objectContaining({
        table: 'recording_index',
        values: expect.arrayContaining(['rec-k1', sha256(wav)]),
      }),
    });
    const call = JSON.parse(files.get('call.json')!.toString());
    expect(call.recording.sha256).toBe(sha256(wav));
    expect(call.workOrders[0]).toMatchObject({ id: Number(orderId), content: '小区门口夜间施工噪音扰民' });
    expect(files.get('call.json')!.toString()).not.toContain('13812341234');
  });

  it('refuses to package a recording whose file no longer matches its checksum (409)', async () => {
    const row = new RecordingsRepo(s.store.db).get('rec-k4')!;
    const abs = join(s.config.server.dataDir, 'recordings', row.path!);
    const bytes = readFileSync(abs);
    bytes[60] = bytes[60]! ^ 0xff;
    writeFileSync(abs, bytes);
    const res = await s.app.inject({ method: 'GET', url: '/recordings/rec-k4/package', headers: bearer(auditor) });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('checksum-mismatch');
  });

  it('the access log: admins and auditors read who searched, viewed, listened, downloaded and packaged; supervisors may not', async () => {
    expect(
      (await s.app.inject({ method: 'GET', url: `/recordings?from=${T0}`, headers: bearer(supervisor) })).statusCode,
    ).toBe(200);
    const res = await s.app.inject({ method: 'GET', url: '/recordings/access-log?limit=200', headers: bearer(admin) });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{
      action: string;
      entityId: string;
      actorRole: string;
      data: Record<string, unknown>;
    }>;
    const actions = new Set(items.map((i) => i.action));
    for (const a of ['search', 'list', 'view', 'listen', 'download', 'package']) expect(actions, a).toContain(a);
    expect(items.find((i) => i.action === 'list')).toMatchObject({
      actorRole: 'supervisor',
      data: { from: T0, results: 5 },
    });
    const firstSearch = items.filter((i) => i.action === 'search').at(-1)!;
    expect(firstSearch).toMatchObject({ actorRole: 'auditor', data: { number: '138****1234', results: 3 } });
    expect(res.body).not.toContain('13812341234');
    const mine = await s.app.inject({
      method: 'GET',
      url: '/recordings/access-log?recording=rec-k1&action=package',
      headers: bearer(auditor),
    });
    expect(mine.json().items).toEqual([
      expect.objectContaining({ entityId: 'rec-k1', action: 'package', actorRole: 'auditor' }),
    ]);
    const page = await s.app.inject({ method: 'GET', url: '/recordings/access-log?limit=2', headers: bearer(auditor) });
    const next = await s.app.inject({
      method: 'GET',
      url: `/recordings/access-log?limit=2&before=${page.json().nextBefore}`,
      headers: bearer(auditor),
    });
    expect(next.json().items[0].id).toBeLessThan(page.json().items[1].id + 0.5);
    expect(
      (await s.app.inject({ method: 'GET', url: '/recordings/access-log', headers: bearer(supervisor) })).statusCode,
    ).toBe(403);
    expect((await s.app.inject({ method: 'GET', url: '/recordings/search', headers: bearer(agent) })).statusCode).toBe(
      403,
    );
  });
});
