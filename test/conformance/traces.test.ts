/**
 * Conformance: every scenario of the reference traces replayed against the simulator. Status codes and
 * bodies of every request, and the full ARI event stream (types, order, every field), must match the real
 * Asterisk 22.10.1 once generated ids and timestamps are normalised.
 *
 * Order is compared strictly except inside the listed race windows: ranges where the reference itself
 * shows the same events in a different order in another trace (two threads racing in Asterisk).
 */
import { describe, expect, test } from 'vitest';
import { compareEvents, loadTrace, normalise, replay, sortKeys, type RequestResult, type IdMap } from './replay.ts';

/** Race windows by trace, each with the reference evidence that the order is not fixed. NO_RACES=1 disables them (each window is needed: the run then fails). */
const RACES: Record<string, Array<[number, number]>> = process.env.NO_RACES
  ? {}
  : {
      // ;2 reaches Up after the ;1 chain here; 03/04/05/07/09 show ;2 Up first.
      // Teardown: ;2 destroyed before ;1 here; 03/04/05/08b/09 show ;1 destroyed first.
      '01b-originate-to-app-play-hangup.jsonl': [
        [9, 13],
        [24, 28],
      ],
      // Wait(2) on ;2 vs Dial RINGING on ;1: 03 and 05 show Dial first, 04/06/09 Wait first.
      '04-three-party.jsonl': [
        [18, 19],
        [41, 42],
        [82, 88],
      ],
      '06-abandon.jsonl': [[44, 45]],
      '09-hold-moh-mute-continue.jsonl': [[18, 19]],
    };

function checkRequests(requests: RequestResult[], ids: IdMap): string[] {
  const problems: string[] = [];
  for (const q of requests) {
    const where = `seq ${q.seq} ${q.method} ${q.path}${q.label ? ` (${q.label})` : ''}`;
    if (q.refStatus !== q.simStatus) {
      problems.push(`${where}: status ${q.simStatus}, reference ${q.refStatus}`);
      continue;
    }
    const sim = normalise(ids.toRef(q.simBody));
    const ref = normalise(q.refBody);
    if (q.path === '/asterisk/info') {
      // Build details describe the reference's machine; the shape and the version/entity must match.
      const s = sim as any;
      const r = ref as any;
      if (
        JSON.stringify(Object.keys(s).sort()) !== JSON.stringify(Object.keys(r).sort()) ||
        s.system.version !== r.system.version ||
        s.system.entity_id !== r.system.entity_id ||
        s.status.startup_time !== '<ts>'
      ) {
        problems.push(`${where}: info shape differs`);
      }
      continue;
    }
    if (q.path === '/sounds' && q.method === 'GET') {
      // The reference lists Asterisk's 568 core sounds; the simulator lists its own set, same shape.
      const list = sim as any[];
      if (
        !Array.isArray(list) ||
        !list.length ||
        !list.every(
          (x) =>
            typeof x.id === 'string' &&
            Array.isArray(x.formats) &&
            x.formats.every((f: any) => f.language === 'en' && typeof f.format === 'string'),
        )
      ) {
        problems.push(`${where}: sound list shape differs`);
      }
      if (!list.some((x) => x.id === 'hello-world')) problems.push(`${where}: hello-world missing`);
      continue;
    }
    if (q.path.endsWith('/file') && q.refStatus === 200) {
      // WAV: same RIFF/WAVE header, length within 2% (Asterisk writes 20 ms frames; the fake clock is exact).
      const s = sim as any;
      const r = ref as any;
      const hdr = (h: string) => h.slice(0, 8) + h.slice(16, 32);
      if (hdr(s.first16_hex) !== hdr(r.first16_hex) || Math.abs(s.bytes - r.bytes) / r.bytes > 0.02)
        problems.push(`${where}: file ${JSON.stringify(s)} vs ${JSON.stringify(r)}`);
      continue;
    }
    if (q.path === '/channels' && q.method === 'GET' && Array.isArray(sim)) {
      // Asterisk lists channels in hash order: compare as a set.
      const key = (x: any) => String(x.id);
      const a = JSON.stringify(sortKeys([...(sim as any[])].sort((x, y) => key(x).localeCompare(key(y)))));
      const b = JSON.stringify(sortKeys([...(ref as any[])].sort((x, y) => key(x).localeCompare(key(y)))));
      if (a !== b) problems.push(`${where}: channel list\n  got ${a}\n  ref ${b}`);
      continue;
    }
    const a = JSON.stringify(sortKeys(sim));
    const b = JSON.stringify(sortKeys(ref));
    if (a !== b) problems.push(`${where}: body\n  got ${a}\n  ref ${b}`);
  }
  return problems;
}

const SINGLE = [
  '00-misc-info.jsonl',
  '01-inbound-answer-play-hangup.jsonl',
  '01b-originate-to-app-play-hangup.jsonl',
  '02-dtmf.jsonl',
  '03-bridge-agent.jsonl',
  '03b-bridge-agent-create-dial.jsonl',
  '04-three-party.jsonl',
  '05-recording.jsonl',
  '06-abandon.jsonl',
  '07-errors.jsonl',
  '09-hold-moh-mute-continue.jsonl',
  '10-no-websocket-connected.jsonl',
];

describe('reference traces replayed against the simulator', () => {
  for (const name of SINGLE) {
    test(name, async () => {
      const r = await replay([name]);
      const problems = [
        ...checkRequests(r.requests, r.ids),
        ...compareEvents(r.refEvents, r.simEvents, r.ids, RACES[name] ?? []),
      ];
      for (const w of r.wsResults) {
        const exp = w.expect;
        const expectedStatus = Number(exp.status);
        const expectedBody = String(exp.body ?? '');
        if (w.got.status !== expectedStatus || w.got.body !== expectedBody)
          problems.push(`ws seq ${w.seq}: ${w.got.status} ${w.got.body} vs ${expectedStatus} ${expectedBody}`);
      }
      expect(problems).toEqual([]);
      expect(r.requests.length).toBe(loadTrace(name).filter((l) => l.kind === 'request').length);
      expect(r.leaks.ok || name === '07-errors.jsonl' || name === '10-no-websocket-connected.jsonl').toBe(true);
    });
  }

  test('the comparison is not blind: a changed field, a dropped event and a swapped pair are all reported', async () => {
    const r = await replay(['01-inbound-answer-play-hangup.jsonl']);
    expect(compareEvents(r.refEvents, r.simEvents, r.ids)).toEqual([]);
    const changed = r.simEvents.map((e) => (e.type === 'StasisStart' ? { ...e, args: ['inbound', '999'] } : e));
    expect(compareEvents(r.refEvents, changed, r.ids).join()).toContain('seq 5');
    expect(compareEvents(r.refEvents, r.simEvents.slice(0, -1), r.ids).join()).toContain('event count');
    const swapped = [...r.simEvents];
    [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
    expect(compareEvents(r.refEvents, swapped, r.ids)).not.toEqual([]);
    expect(
      checkRequests(
        r.requests.map((q) => (q.path === '/playbacks/pb-100' ? { ...q, simStatus: 200 } : q)),
        r.ids,
      ).join(),
    ).toContain('/playbacks/pb-100');
  });

  test('08 + 08b: a second WebSocket for the same app replaces the first', async () => {
    const r = await replay(['08b-second-ws-same-app-second.jsonl'], { replacedFirst: true });
    const problems = [...checkRequests(r.requests, r.ids), ...compareEvents(r.refEvents, r.simEvents, r.ids)];
    const first = loadTrace('08-second-ws-same-app.jsonl')
      .filter((l) => l.kind === 'event')
      .map((l) => ({ seq: l.seq, event: l.event }));
    problems.push(...compareEvents(first, r.extraEvents, r.ids));
    expect(problems).toEqual([]);
    expect(r.leaks.ok).toBe(true);
  });
});
