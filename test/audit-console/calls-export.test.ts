import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallExportRepo } from '../../src/store/call-export-repo.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { bearer, startTestServer, tokenFor, type TestServer } from '../platform/helpers.ts';

const BOM = '\uFEFF';

/** Splits the CSV body (no quoted newlines in these fixtures) into rows of raw cells. */
function rows(body: string): string[][] {
  return body
    .replace(BOM, '')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

describe('GET /calls/export.csv: CDR for Excel', () => {
  let s: TestServer;
  let auditor: string;
  let supervisor: string;
  let agent: string;
  const base = Date.UTC(2026, 0, 5, 2, 0, 0); // 10:00 in Shanghai

  beforeAll(async () => {
    s = await startTestServer();
    auditor = await tokenFor(s, 'auditor');
    supervisor = await tokenFor(s, 'supervisor');
    agent = await tokenFor(s, 'agent');
    const calls = new CallsRepo(s.store.db);
    // Given 1 203 calls, one minute apart: more than two pages of the export's 500-row reads.
    calls.transaction(() => {
      for (let i = 0; i < 1203; i++) {
        calls.insertCall({
          id: `c${String(i).padStart(5, '0')}`,
          callerChannelId: `ch${i}`,
          callerNumber: '13812341234',
          status: 'ended',
          phase: 'ended',
          arrivedAt: base + i * 60_000,
          answeredAt: base + i * 60_000 + 10_000,
          answerMs: 8_000,
          endedAt: base + i * 60_000 + 50_000,
          outcome: 'answered',
          agentId: 'zhang.wei',
        });
      }
      // And a call whose cells would run as formulas in Excel.
      calls.insertCall({
        id: 'evil',
        callerChannelId: 'ch-evil',
        callerNumber: '=HYPERLINK("http://x")',
        dialedNumber: '-1+1',
        status: 'ended',
        phase: 'ended',
        arrivedAt: base - 60_000,
        outcome: 'abandoned_queue',
        agentId: '@SUM(A1)',
        transferNumber: '+8613900001111',
      });
    });
    calls.linkWorkOrder('c00000', '17', base);
  });
  afterAll(async () => {
    await s?.cleanup();
  });

  it('streams every call, newest first, UTF-8 with BOM, numbers masked for an auditor', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/calls/export.csv', headers: bearer(auditor) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('calls.csv');
    expect(res.body.startsWith(`${BOM}通话编号,来电时间,主叫号码`)).toBe(true);
    const [header, ...data] = rows(res.body);
    expect(header).toHaveLength(18);
    expect(data).toHaveLength(1204);
    expect(data[0]![0]).toBe('c01202');
    expect(data[1202]![0]).toBe('c00000');
    expect(data[1202]![1]).toBe('2026-01-05T10:00:00.000+08:00');
    expect(data[1202]![2]).toBe('138****1234');
    expect(data[1202]![11]).toBe('8.0');
    expect(data[1202]![17]).toBe('17');
    expect(res.body).not.toContain('13812341234');
  });

  it('guards against CSV injection: cells starting with = + - @ get a leading apostrophe', async () => {
    const res = await s.app.inject({ method: 'GET', url: `/calls/export.csv?to=${base}`, headers: bearer(supervisor) });
    expect(res.statusCode).toBe(200);
    const lines = res.body.replace(BOM, '').split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    // Supervisors hold phone:see-full, so the raw number is exported — neutralised.
    expect(lines[1]).toBe(
      `evil,2026-01-05T09:59:00.000+08:00,"'=HYPERLINK(""http://x"")",'-1+1,,,,,,abandoned_queue,'@SUM(A1),,,0,否,'+8613900001111,否,`,
    );
  });

  it('filters by from/to like GET /calls; a bad filter is a 400 naming it; agents are refused', async () => {
    const res = await s.app.inject({
      method: 'GET',
      url: `/calls/export.csv?from=${base}&to=${base + 3 * 60_000}`,
      headers: bearer(auditor),
    });
    expect(
      rows(res.body)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual(['c00002', 'c00001', 'c00000']);
    const backwards = await s.app.inject({
      method: 'GET',
      url: `/calls/export.csv?from=${base}&to=${base - 1}`,
      headers: bearer(auditor),
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().code).toBe('invalid-range');
    const notNumber = await s.app.inject({
      method: 'GET',
      url: '/calls/export.csv?from=yesterday',
      headers: bearer(auditor),
    });
    expect(notNumber.statusCode).toBe(400);
    expect(notNumber.json().message).toMatch(/from/);
    const unknown = await s.app.inject({ method: 'GET', url: '/calls/export.csv?agent=x', headers: bearer(auditor) });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/agent/);
    expect((await s.app.inject({ method: 'GET', url: '/calls/export.csv', headers: bearer(agent) })).statusCode).toBe(
      403,
    );
    expect((await s.app.inject({ method: 'GET', url: '/calls/export.csv' })).statusCode).toBe(401);
  });

  it('reads the store a page at a time (the body is streamed, never built whole) and audits each export', async () => {
    const pages = [...new CallExportRepo(s.store.db).pages({}, 500)];
    expect(pages.map((p) => p.length)).toEqual([500, 500, 204]);
    const log = s.store.sqlite
      .prepare(`select actor_role, data from audit_log where entity = 'calls' and action = 'export-csv' order by id`)
      .all() as Array<{ actor_role: string; data: string }>;
    expect(log.length).toBeGreaterThanOrEqual(3);
    expect(log[0]).toEqual({
      actor_role: 'auditor',
      data: JSON.stringify({ from: null, to: null, fullNumbers: false }),
    });
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = (await s.app.inject({ method: 'GET', url: '/docs/json', headers: bearer(auditor) })).json();
    expect(doc.paths['/calls/export.csv'].get.summary).toMatch(/CSV/);
    expect(Object.keys(doc.paths['/calls/export.csv'].get.responses['200'].content)).toEqual(['text/csv']);
  });
});
