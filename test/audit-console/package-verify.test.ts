import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tar, untar } from '../../src/audit-console/tar.ts';
import { runVerify } from '../../src/recordings/verify-cli.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { bearer, startTestServer, tempDir, tokenFor, type TestServer } from '../platform/helpers.ts';
import { archiveCall } from './fixtures.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const AUDIO = 'audio/rec-p2.wav';

type Manifest = {
  callId: string;
  recordingChecksums: Record<string, string>;
  files: Array<{ name: string; sha256: string; bytes: number }>;
  chain: {
    seq: number;
    columns: string[];
    values: Array<string | number | null>;
    content: string;
    prevHash: string | null;
    rowHash: string;
    version: string;
    rule: string;
  } | null;
};

/** Rebuilds a package from its files; `reseal` recomputes manifest.files and SHA256SUMS as a forger would. */
function repack(files: Map<string, Buffer>, opts: { reseal: boolean }): Buffer {
  const out = new Map(files);
  if (opts.reseal) {
    const manifest = JSON.parse(out.get('manifest.json')!.toString()) as Manifest;
    manifest.files = manifest.files.map((f) => ({
      ...f,
      sha256: sha256(out.get(f.name)!),
      bytes: out.get(f.name)!.length,
    }));
    out.set('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    const names = [...out.keys()].filter((n) => n !== 'SHA256SUMS');
    out.set('SHA256SUMS', Buffer.from(names.map((n) => `${sha256(out.get(n)!)}  ${n}\n`).join('')));
  }
  return tar([...out].map(([name, data]) => ({ name, data, mtime: T0 })));
}

function editManifest(files: Map<string, Buffer>, edit: (m: Manifest) => void): Map<string, Buffer> {
  const out = new Map(files);
  const m = JSON.parse(out.get('manifest.json')!.toString()) as Manifest;
  edit(m);
  out.set('manifest.json', Buffer.from(`${JSON.stringify(m, null, 2)}\n`));
  return out;
}

describe('evidence package chain position and `npm run verify -- --package` (offline)', () => {
  let s: TestServer;
  let pkg: Buffer;
  const work = tempDir('pkg-verify-');

  /** Runs the CLI on `bytes` with no DATA_DIR in the environment. */
  async function verify(bytes: Buffer) {
    const file = join(work.dir, `p-${Math.random().toString(36).slice(2)}.tar`);
    writeFileSync(file, bytes);
    return runVerify(['--package', file], {}, work.dir);
  }
  async function verifyJson(bytes: Buffer) {
    const file = join(work.dir, `j-${Math.random().toString(36).slice(2)}.tar`);
    writeFileSync(file, bytes);
    const res = await runVerify(['--package', file, '--json'], {}, work.dir);
    return {
      exitCode: res.exitCode,
      report: JSON.parse(res.out) as { ok: boolean; first: { part: string; message: string } | null },
    };
  }

  beforeAll(async () => {
    s = await startTestServer({ clock: new FakeClock(T0 + 86_400_000) });
    // Given two archived recordings; the second one's index entry has a predecessor.
    archiveCall(s, {
      callId: 'p1',
      name: 'rec-p1',
      callerNumber: '13812341234',
      agentId: 'zhang.wei',
      arrivedAt: T0,
      durationMs: 1_000,
    });
    archiveCall(s, {
      callId: 'p2',
      name: 'rec-p2',
      callerNumber: '13900001111',
      agentId: 'li.na',
      arrivedAt: T0 + 60_000,
      durationMs: 2_000,
    });
    const auditor = await tokenFor(s, 'auditor');
    const res = await s.app.inject({ method: 'GET', url: '/recordings/rec-p2/package', headers: bearer(auditor) });
    expect(res.statusCode).toBe(200);
    pkg = res.rawPayload;
  }, 60_000);

  afterAll(async () => {
    await s?.cleanup();
    work.cleanup();
  });

  it("the manifest carries the recording's index entry as hashed: seq, values, prev and row hash, the rule", () => {
    const m = JSON.parse(untar(pkg).get('manifest.json')!.toString()) as Manifest;
    const entry = s.store.sqlite.prepare("select * from recording_index where name = 'rec-p2'").get() as Record<
      string,
      unknown
    >;
    const first = s.store.sqlite.prepare("select row_hash from recording_index where name = 'rec-p1'").get() as {
      row_hash: string;
    };
    expect(m.chain).not.toBeNull();
    expect(m.chain!.seq).toBe(entry.seq);
    expect(m.chain!.rowHash).toBe(entry.row_hash);
    expect(m.chain!.prevHash).toBe(first.row_hash);
    expect(m.chain!.columns[0]).toBe('seq');
    expect(m.chain!.values).toEqual(m.chain!.columns.map((c) => entry[c]));
    expect(m.chain!.content).toBe(JSON.stringify(m.chain!.values));
    expect(m.chain!.version).toBe('hotline-chain/1');
    expect(m.chain!.rule).toContain('SHA-256');
  });

  it('an untouched package verifies offline (no DATA_DIR): exit 0, OK', async () => {
    const res = await verify(pkg);
    expect(res.out).toContain('OK: the package verifies');
    expect(res.out).toMatch(/recording_index#\d+: row hash [0-9a-f]{64} recomputes/);
    expect(res.exitCode).toBe(0);
  });

  it('a changed audio byte fails, naming the audio file', async () => {
    const files = untar(pkg);
    const audio = Buffer.from(files.get(AUDIO)!);
    audio[200] = audio[200]! ^ 0xff;
    files.set(AUDIO, audio);
    const res = await verify(repack(files, { reseal: false }));
    expect(res.exitCode).toBe(1);
    expect(res.out).toContain(`FIRST MISMATCH: ${AUDIO}: SHA-256`);
    expect(res.out).toContain('does not match SHA256SUMS');
    // Even with SHA256SUMS and the manifest's file list rewritten, the recording's checksum catches it.
    const forged = await verifyJson(repack(files, { reseal: true }));
    expect(forged.exitCode).toBe(1);
    expect(forged.report.first).toEqual({
      part: AUDIO,
      message: expect.stringContaining("does not match the recording's archived checksum"),
    });
  });

  it('a changed manifest field fails, naming the manifest (and the field once the sums are rewritten)', async () => {
    const files = editManifest(untar(pkg), (m) => (m.callId = 'p1'));
    const plain = await verifyJson(repack(files, { reseal: false }));
    expect(plain.exitCode).toBe(1);
    expect(plain.report.first?.part).toBe('manifest.json');
    const forged = await verifyJson(repack(files, { reseal: true }));
    expect(forged.exitCode).toBe(1);
    expect(forged.report.first).toEqual({
      part: 'manifest.callId',
      message: expect.stringContaining("is not the chain entry's call p2"),
    });
  });

  it('a changed chain row fails, naming the chain entry', async () => {
    const retainAt = (m: Manifest) => m.chain!.columns.indexOf('retain_until');
    // The value changed and the content rewritten to match: the row hash no longer recomputes.
    const files = editManifest(untar(pkg), (m) => {
      m.chain!.values[retainAt(m)] = (m.chain!.values[retainAt(m)] as number) + 365 * 86_400_000;
      m.chain!.content = JSON.stringify(m.chain!.values);
    });
    const res = await verify(repack(files, { reseal: true }));
    expect(res.exitCode).toBe(1);
    expect(res.out).toContain('FIRST MISMATCH: manifest.chain.rowHash');
    // The value changed but not the content: named as such.
    const stale = editManifest(untar(pkg), (m) => (m.chain!.values[retainAt(m)] = 0));
    expect((await verifyJson(repack(stale, { reseal: true }))).report.first?.part).toBe('manifest.chain.content');
    // The previous hash swapped: the row hash no longer recomputes either.
    const prev = editManifest(untar(pkg), (m) => (m.chain!.prevHash = sha256(Buffer.from('another row'))));
    expect((await verifyJson(repack(prev, { reseal: true }))).report.first?.part).toBe('manifest.chain.rowHash');
  });

  it('a truncated tar, or a package without chain entry, fails naming it; an unreadable file is a usage error (2)', async () => {
    expect((await verifyJson(pkg.subarray(0, 700))).report.first?.part).toBe('tar');
    const noChain = editManifest(untar(pkg), (m) => (m.chain = null));
    expect((await verifyJson(repack(noChain, { reseal: true }))).report.first?.part).toBe('manifest.chain');
    const missing = await runVerify(['--package', join(work.dir, 'nope.tar')], {}, work.dir);
    expect(missing.exitCode).toBe(2);
    expect(missing.out).toContain('ENOENT');
  });
});
