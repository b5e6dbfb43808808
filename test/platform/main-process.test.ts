import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');

function run(env: Record<string, string>, cwd: string) {
  const child = spawn(tsx, [join(root, 'src', 'main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ out, err }) };
}

describe('npm start entry (src/main.ts)', () => {
  it('serves /health on a free port with a temp DATA_DIR and exits 0 on SIGINT', async () => {
    const t = tempDir('main-');
    const p = run({ DATA_DIR: join(t.dir, 'data'), PORT: '0', LOG_LEVEL: 'info' }, t.dir);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(p.output().out);
          if (m?.[1]) {
            clearInterval(timer);
            resolve(m[1]);
          }
        }, 50);
        void p.exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`exited ${code} before listening: ${p.output().err}`));
        });
      });
      // The embedded simulator starts and the ARI client connects to it shortly after listening.
      let body: { status: string; store: string; telephony: { mode: string; connected: boolean } } | undefined;
      for (let i = 0; i < 100; i++) {
        const health = await fetch(`${url}/health`);
        expect(health.status).toBe(200);
        body = (await health.json()) as typeof body;
        if (body?.telephony.connected) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(body, p.output().out.slice(-3000)).toMatchObject({
        status: 'ok',
        store: 'ok',
        telephony: { mode: 'simulator', connected: true },
      });
      expect(existsSync(join(t.dir, 'data', 'hotline.db'))).toBe(true);
      p.child.kill('SIGINT');
      const code = await p.exited;
      expect(code, `${p.output().out.slice(-3000)}\n${p.output().err.slice(-3000)}`).toBe(0);
      expect(p.output().out).toContain('"msg":"stopped"');
    } finally {
      p.child.kill('SIGKILL');
      t.cleanup();
    }
  }, 60_000);

  it('exits 1 naming the key when the configuration is bad', async () => {
    const t = tempDir('main-');
    try {
      const p = run({ DATA_DIR: join(t.dir, 'data'), PORT: 'abc' }, t.dir);
      expect(await p.exited).toBe(1);
      expect(p.output().err).toContain('PORT');
      expect(p.output().err).toContain('an integer');
    } finally {
      t.cleanup();
    }
  }, 60_000);

  it('refuses demo traffic with a real Asterisk before connecting to it (issue 13 item 6)', async () => {
    const t = tempDir('main-');
    try {
      const p = run(
        {
          DATA_DIR: join(t.dir, 'data'),
          PORT: '0',
          DEMO: '1',
          ASTERISK_ARI_URL: 'http://127.0.0.1:1/ari',
          ASTERISK_ARI_USER: 'u',
          ASTERISK_ARI_PASSWORD: 'p',
        },
        t.dir,
      );
      expect(await p.exited).toBe(1);
      expect(p.output().err).toContain('demo traffic runs only on the built-in PBX simulator');
    } finally {
      t.cleanup();
    }
  }, 60_000);

  it('exits 1 with an operator message when the port is taken or DATA_DIR is not a directory', async () => {
    const t = tempDir('main-');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const taken = run({ DATA_DIR: join(t.dir, 'data'), PORT: String(port), LOG_LEVEL: 'silent' }, t.dir);
      expect(await taken.exited).toBe(1);
      expect(taken.output().err).toContain(`port ${port} on 127.0.0.1 is already in use`);
      writeFileSync(join(t.dir, 'afile'), '');
      const notDir = run({ DATA_DIR: join(t.dir, 'afile', 'data'), PORT: '0', LOG_LEVEL: 'silent' }, t.dir);
      expect(await notDir.exited).toBe(1);
      expect(notDir.output().err).toContain('check DATA_DIR');
    } finally {
      blocker.close();
      t.cleanup();
    }
  }, 60_000);
});
