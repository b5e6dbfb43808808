import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCallCenterConfig } from '../../src/domain/ivr/validate-call-center-config.ts';
import { IvrConfigError } from '../../src/ivr-config/ivr-config-error.ts';
import { defaultIvrConfigPath, loadIvrConfig } from '../../src/ivr-config/load-ivr-config.ts';
import { readFileSync } from 'node:fs';

const shipped = JSON.parse(readFileSync(defaultIvrConfigPath, 'utf8')) as Record<string, any>;
const everyPrompt = () => true;

function variant(edit: (c: Record<string, any>) => void): Record<string, any> {
  const c = structuredClone(shipped);
  edit(c);
  return c;
}

function errorsOf(raw: unknown, promptExists: (id: string) => boolean = everyPrompt): string[] {
  const r = validateCallCenterConfig(raw, { promptExists });
  return r.ok ? [] : r.errors;
}

describe('call-flow config validation', () => {
  it('accepts the shipped config with its prompt files (loaded from disk)', () => {
    const c = loadIvrConfig();
    expect(c.ivr.start).toBe('welcome');
    expect(c.ivr.skills).toEqual(['mandarin', 'zhuang', 'cantonese']);
    expect(c.acd).toMatchObject({ prewarnMs: 15_000, breachMs: 20_000 });
  });

  it.each([
    [
      'unknown node',
      (c: Record<string, any>) => (c.nodes.desk.options['1'].node = 'no-such-node'),
      'node "desk" option "1": "node" goes to unknown node "no-such-node"',
    ],
    ['unknown start node', (c: Record<string, any>) => (c.start = 'nowhere'), '"start" names unknown node "nowhere"'],
    [
      'unreachable node',
      (c: Record<string, any>) => (c.nodes.orphan = { type: 'play', prompt: 'zh/goodbye', next: { action: 'hangup' } }),
      'node "orphan" is unreachable from start node "welcome"',
    ],
    [
      'unknown action',
      (c: Record<string, any>) => (c.nodes.desk.options['7'] = { action: 'fax' }),
      'node "desk" option "7": unknown action "fax" (goto, queue, transfer, play, callback, hangup)',
    ],
    [
      'bad option key',
      (c: Record<string, any>) => (c.nodes.desk.options['12'] = { action: 'queue' }),
      'node "desk": option key "12" is not a single key 0-9, * or #',
    ],
    [
      'unknown skill',
      (c: Record<string, any>) => (c.nodes.desk.options['2'].setSkill = 'hakka'),
      'node "desk" option "2": "setSkill" "hakka" is not one of "skills"',
    ],
    [
      'bad transfer number',
      (c: Record<string, any>) => (c.nodes['emergency-advice'].options['1'].number = '1-1-0'),
      'node "emergency-advice" option "1": "number" must be 3 to 20 digits (got "1-1-0")',
    ],
    [
      'silent caller never reaches an agent',
      (c: Record<string, any>) => (c.nodes.desk.onTimeout = { action: 'hangup', prompt: ['zh/goodbye'] }),
      'a caller who presses nothing never reaches an agent (path: welcome → desk → (hangup))',
    ],
    [
      'ticket look-up failures without bound',
      (c: Record<string, any>) => (c.nodes['ticket-status'].maxLookupFailures = 0),
      'node "ticket-status": "maxLookupFailures" must be an integer from 1 to 10 (got 0)',
    ],
    [
      'unknown action after the last failed look-up',
      (c: Record<string, any>) => (c.nodes['ticket-status'].onLookupFailures = { action: 'fax' }),
      'node "ticket-status" onLookupFailures: unknown action "fax" (goto, queue, transfer, play, callback, hangup)',
    ],
    [
      'pre-warning not below the target',
      (c: Record<string, any>) => (c.acd.prewarnMs = 20_000),
      'acd.prewarnMs (20000) must be below acd.breachMs (20000)',
    ],
    [
      'bad overflow group',
      (c: Record<string, any>) => (c.acd.overflow = ['everyone']),
      'acd.overflow: must be a list of any-skill, leaders (got ["everyone"])',
    ],
    [
      'bad time-out',
      (c: Record<string, any>) => (c.nodes.desk.timeoutMs = -1),
      'node "desk": "timeoutMs" must be an integer from 500 to 60000 (got -1)',
    ],
    [
      'nine digit prompts',
      (c: Record<string, any>) => c.prompts.digits.pop(),
      'prompts.digits: must list ten prompts, for 0 to 9',
    ],
  ])('names the problem: %s', (_name, edit, message) => {
    expect(errorsOf(variant(edit))).toContain(message);
  });

  it('names the node and the file of a missing prompt', () => {
    const errors = errorsOf(shipped, (id) => id !== 'zh/desk-choice' && id !== 'zh/digit-7');
    expect(errors).toEqual([
      'node "desk": prompt file sounds/zh/desk-choice.wav is missing',
      'prompts.digits: prompt file sounds/zh/digit-7.wav is missing',
    ]);
  });

  it('the loader reports missing files, bad JSON and validation errors with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-config-'));
    const missing = join(dir, 'nope.json');
    expect(() => loadIvrConfig({ file: missing })).toThrow(IvrConfigError);
    expect(() => loadIvrConfig({ file: missing })).toThrow(/nope\.json:\n\s+- cannot read the file/);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "start": ');
    expect(() => loadIvrConfig({ file: bad })).toThrow(/not valid JSON/);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify(variant((c) => (c.nodes.desk.options['1'].node = 'gone'))));
    try {
      loadIvrConfig({ file: broken });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IvrConfigError);
      expect((e as IvrConfigError).problems).toContain('node "desk" option "1": "node" goes to unknown node "gone"');
      expect((e as Error).message).toContain(broken);
    }

    // Prompt files are looked up under `root`: an empty folder has none of them.
    try {
      loadIvrConfig({ root: dir });
      expect.unreachable();
    } catch (e) {
      expect((e as IvrConfigError).problems).toContain('node "welcome": prompt file sounds/zh/welcome.wav is missing');
    }
  });
});
