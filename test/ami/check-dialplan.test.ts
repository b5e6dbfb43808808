import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDialplan, readConfFiles, type SourceFile } from '../../scripts/check-dialplan.ts';

const queues: SourceFile = { name: 'queues-x.conf', text: '[q1]\nstrategy=ringall\n' };

function issuesOf(dialplan: string, extra: SourceFile[] = []): string[] {
  return checkDialplan([{ name: 'extensions-x.conf', text: dialplan }, queues, ...extra]).map(
    (i) => `${i.line}: ${i.message}`,
  );
}

describe('scripts/check-dialplan', () => {
  it('finds no problem in the shipped dialplan and Asterisk samples', () => {
    const files = readConfFiles(['dialplan', 'config/asterisk']);
    expect(files.map((f) => f.name)).toContain('dialplan/extensions-hotline.conf');
    expect(checkDialplan(files)).toEqual([]);
  });

  it('the shipped dialplan routes a failed Stasis into the fallback queue with MixMonitor', () => {
    const text = readConfFiles(['dialplan']).find((f) => f.name.endsWith('extensions-hotline.conf'))!.text;
    const section = (name: string) => text.indexOf(`\n[${name}]\n`);
    const inbound = text.slice(section('hotline-inbound'), section('hotline-fallback'));
    expect(inbound).toMatch(/Stasis\(\$\{HOTLINE_APP\},inbound,\$\{EXTEN\}\)/);
    expect(inbound.indexOf('Stasis(')).toBeLessThan(inbound.indexOf('Goto(hotline-fallback'));
    const fallback = text.slice(section('hotline-fallback'), section('hotline-agents'));
    expect(fallback.indexOf('MixMonitor(')).toBeGreaterThan(0);
    expect(fallback.indexOf('MixMonitor(')).toBeLessThan(fallback.indexOf('Queue(hotline-fallback'));
  });

  it('every hotline/<prompt> the dialplan and the queue play ships in sounds/zh', () => {
    const used = new Set<string>();
    for (const f of readConfFiles(['dialplan']))
      for (const m of f.text.matchAll(/\bhotline\/([a-z0-9-]+)/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThanOrEqual(5);
    const missing = [...used].filter((name) => !existsSync(`sounds/zh/${name}.wav`));
    expect(missing).toEqual([]);
  });

  it('reports each kind of broken reference with its line', () => {
    const bad = [
      '[a]', //                                    1
      'include => nowhere', //                     2
      'exten => 100,1,Goto(b,200,1)', //           3: no context b
      ' same => n,Goto(a,999,1)', //               4: no extension 999
      ' same => n,Goto(missing)', //              5: no label
      ' same => n(here),GotoIf($[1=1]?here:a,100,7)', // 6: priority 7 missing
      ' same => n,Queue(nope,t)', //              7: no queue
      ' same => n,Dial(Local/1@ghost)', //        8: no context ghost
      ' same => 3,NoOp(dup)', //                  9: duplicate priority 3
      'exten => 200,2,NoOp(x)', //                 10: does not start at 1
      ' same => n,Set(X=$[1+1)', //              11: unbalanced
      '[c]', //                                    12
      'same => n,NoOp(orphan)', //                 13: same without exten
      ' exten => s,1,Queue(q1)', //                14: fine
      ' same => n,Gosub(a,100,here)', //           15: fine
      ' same => n,Goto(a,${X},1)', //              16: fine (variable extension, priority 1 exists)
    ].join('\n');
    const pjsip: SourceFile = { name: 'pjsip-x.conf', text: '[1001]\ntype=endpoint\ncontext=phones\n' };
    expect(issuesOf(bad, [pjsip])).toEqual([
      '9: duplicate priority 3 for 100 in [a]',
      '10: extension 200 in [a] does not start at priority 1',
      '11: unbalanced brackets in Set(X=$[1+1)',
      '13: `same =>` without an `exten =>` before it',
      '2: [a] includes undefined context [nowhere]',
      '3: Goto to undefined context [b]',
      '4: Goto to extension 999 which [a] does not have',
      '5: Goto to a,100,missing: no such priority or label',
      '6: GotoIf to a,100,7: no such priority or label',
      '7: Queue(nope): no such queue in queues*.conf',
      '8: Local channel to undefined context [ghost]',
      '3: PJSIP context=phones is not defined in the dialplan',
    ]);
  });

  it('runs as a command: exit 0 on the shipped files, 1 with the problems on stderr otherwise', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/check-dialplan.ts'], { encoding: 'utf8' });
    expect(out).toContain('dialplan OK');
    let failed: { status: number; stderr: string } | undefined;
    try {
      execFileSync(
        process.execPath,
        ['--import', 'tsx', 'scripts/check-dialplan.ts', 'test/fixtures/ami/broken-dialplan'],
        { encoding: 'utf8', stdio: 'pipe' },
      );
    } catch (err) {
      failed = err as { status: number; stderr: string };
    }
    expect(failed?.status).toBe(1);
    expect(failed?.stderr).toContain('extensions-broken.conf:3: Goto to undefined context [elsewhere]');
  });
});
