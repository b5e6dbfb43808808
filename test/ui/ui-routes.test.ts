import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPublicDir } from '../../src/http/routes/ui.ts';
import { startTestServer, type TestServer } from '../platform/helpers.ts';
import { findChromium, launchChromium, unpackBundledChromium } from './browser.ts';

describe('the /ui routes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.cleanup();
  });

  it('serve both pages without a token, as HTML with a same-origin content security policy', async () => {
    for (const [url, title] of [
      ['/ui/agent', '坐席工作台'],
      ['/ui/supervisor', '班长监控大屏'],
    ] as const) {
      const res = await s.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.body).toContain(title);
    }
    const root = await s.app.inject({ method: 'GET', url: '/ui' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/ui/agent');
    // The data behind the pages still needs a token.
    expect((await s.app.inject({ method: 'GET', url: '/calls/live' })).statusCode).toBe(401);
  });

  it('serve every file of public/ui with its type, and every module a page imports', async () => {
    const files = readdirSync(defaultPublicDir);
    expect(files).toEqual(
      expect.arrayContaining(['agent.html', 'agent.js', 'common.js', 'supervisor.html', 'supervisor.js', 'ui.css']),
    );
    const imported = new Set<string>();
    for (const f of files) {
      const res = await s.app.inject({ method: 'GET', url: `/ui/assets/${f}` });
      expect(res.statusCode, f).toBe(200);
      expect(res.body).toBe(readFileSync(`${defaultPublicDir}/${f}`, 'utf8'));
      if (f.endsWith('.js')) expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      if (f.endsWith('.css')) expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
      for (const m of res.body.matchAll(/(?:from|src=|href=)\s*["'](\/ui\/[^"']+)["']/g)) imported.add(m[1]!);
    }
    expect(imported).toContain('/ui/vendor/socket.io.esm.min.js');
    for (const url of imported) {
      const res = await s.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
    }
    const client = await s.app.inject({ method: 'GET', url: '/ui/vendor/socket.io.esm.min.js' });
    expect(client.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(client.body).toContain('export');
  });

  it('/ui/config.json lists the skills and the voice-menu labels from config/ivr.json', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/ui/config.json' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { skills: string[]; nodeLabels: Record<string, string> };
    expect(body.skills).toEqual(['mandarin', 'zhuang', 'cantonese']);
    expect(body.nodeLabels.desk).toBe('服务台选择');
  });

  it('serve nothing outside public/ui', async () => {
    for (const url of [
      '/ui/assets/../../package.json',
      '/ui/assets/%2e%2e%2fpackage.json',
      '/ui/assets/..%2f..%2fpackage.json',
      '/ui/assets/nope.js',
      '/ui/vendor/socket.io.js',
    ]) {
      const res = await s.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('"dependencies"');
    }
  });
});

describe('the browser tests', () => {
  const notThere = '/nonexistent/chromium';
  const neverUnpack = async (): Promise<string> => {
    throw new Error('unpack must not be called');
  };

  it('use CHROMIUM_PATH alone when it is set, and fail naming it when it is wrong (never skip)', async () => {
    // Given CHROMIUM_PATH pointing nowhere, when the browser is looked up, then it fails naming the variable.
    await expect(
      launchChromium({ chromiumPath: notThere, systemPath: process.execPath, unpackBundled: neverUnpack }),
    ).rejects.toThrow(/Chromium not found at \/nonexistent\/chromium \(CHROMIUM_PATH\)/);
    await expect(
      findChromium({ chromiumPath: process.execPath, systemPath: notThere, unpackBundled: neverUnpack }),
    ).resolves.toBe(process.execPath);
  });

  it('prefer the system Chromium, else the one that comes with npm install', async () => {
    await expect(
      findChromium({ chromiumPath: undefined, systemPath: process.execPath, unpackBundled: neverUnpack }),
    ).resolves.toBe(process.execPath);
    await expect(
      findChromium({ chromiumPath: undefined, systemPath: notThere, unpackBundled: async () => '/unpacked/chromium' }),
    ).resolves.toBe('/unpacked/chromium');
  });

  it('fail with a clear message when no browser can be had at all (never skip)', async () => {
    const noPackage = async (): Promise<string> => {
      throw new Error("Cannot find package '@sparticuz/chromium'");
    };
    await expect(
      launchChromium({ chromiumPath: undefined, systemPath: notThere, unpackBundled: noPackage }),
    ).rejects.toThrow(
      /No Chromium for the UI tests.*\/nonexistent\/chromium is missing.*Cannot find package.*npm install/,
    );
  });

  it('unpack the bundled Chromium into a private directory per user and refuse one others can write', {
    timeout: 60_000,
  }, async () => {
    const base = mkdtempSync(join(tmpdir(), 'chromium-unpack-'));
    try {
      // Given a fresh temp dir, when the bundled browser is unpacked, then it lands in a 0700 dir of ours.
      const exe = await unpackBundledChromium(base);
      expect(statSync(exe).isFile()).toBe(true);
      const dir = dirname(exe);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(dir).uid).toBe(process.getuid?.());
      expect(readdirSync(base)).toEqual([basename(dir)]); // no staging dir left behind
      // And a second call reuses it.
      await expect(unpackBundledChromium(base)).resolves.toBe(exe);
      // Given the same dir made writable by others, then it is refused rather than run.
      chmodSync(dir, 0o777);
      await expect(unpackBundledChromium(base)).rejects.toThrow(/not a directory owned by uid .* writable only by it/);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
