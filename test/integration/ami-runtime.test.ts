import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startSimulator } from '../../src/simulator/index.ts';
import { startTestServer, tempDir, type TestServer } from '../platform/helpers.ts';

/** Resolves once `check()` is true; fails naming what it waited for (real sockets, so real time). */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Health {
  status: string;
  telephony: { mode: string; connected: boolean; ami?: { configured: boolean; connected: boolean } };
}

describe('npm start in simulator mode also runs AMI (embedded simulator AMI + the production AmiClient)', () => {
  let server: TestServer;
  const health = async (): Promise<Health> =>
    (await server.app.inject({ method: 'GET', url: '/health' })).json() as Health;

  beforeAll(async () => {
    server = await startTestServer({ telephony: true });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it('starts the simulator with an AMI endpoint on loopback and reports it in /health', async () => {
    expect(server.telephony.mode).toBe('simulator');
    expect(server.telephony.simulator?.ami?.host).toBe('127.0.0.1');
    expect(server.telephony.simulator?.ami?.port).toBeGreaterThan(0);
    expect(server.telephony.ami).toBeDefined();
    await until('ARI and AMI connected in /health', async () => {
      const h = await health();
      return h.telephony.connected && h.telephony.ami?.connected === true;
    });
    const h = await health();
    expect(h).toMatchObject({
      status: 'ok',
      telephony: { mode: 'simulator', connected: true, ami: { configured: true, connected: true } },
    });
  });

  it("answers Ping and CoreStatus through the runtime's AMI client", async () => {
    const ami = server.telephony.ami!;
    await until('AMI ready', () => ami.state === 'ready');
    const pong = await ami.ping();
    expect(pong.response).toBe('Success');
    expect(pong.ping).toBe('Pong');
    const core = await ami.coreStatus();
    expect(core.response).toBe('Success');
    expect(Number(core.corecurrentcalls)).toBe(0);
    expect(core.corestartuptime).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it('stops AMI on shutdown: the client is stopped and /health no longer says connected', async () => {
    const ami = server.telephony.ami!;
    await server.close();
    expect(ami.state).toBe('stopped');
    expect(server.telephony.amiHealth()).toEqual({ configured: true, connected: false });
  });
});

describe('telephony off (HTTP-surface tests): AMI not configured', () => {
  it('reports ami configured false', async () => {
    const server = await startTestServer();
    try {
      const h = (await server.app.inject({ method: 'GET', url: '/health' })).json() as Health;
      expect(h.telephony.ami).toEqual({ configured: false, connected: false });
      expect(server.telephony.ami).toBeUndefined();
    } finally {
      await server.cleanup();
    }
  });
});

describe('Asterisk mode: AMI connects when ASTERISK_AMI_HOST is set', () => {
  it('connects amiClientFromConfig to the configured AMI (a standalone simulator standing in for Asterisk)', async () => {
    const t = tempDir('ami-pbx-');
    const pbx = await startSimulator({
      port: 0,
      ariUser: 'ari',
      ariPassword: 'ari-secret',
      recordingsDir: join(t.dir, 'rec'),
      inboundApp: 'hotline',
      ami: { port: 0, user: 'mgr', secret: 'mgr-secret' },
    });
    const server = await startTestServer({
      telephony: true,
      env: {
        ASTERISK_ARI_URL: `http://127.0.0.1:${pbx.port}`,
        ASTERISK_ARI_USER: 'ari',
        ASTERISK_ARI_PASSWORD: 'ari-secret',
        ASTERISK_AMI_HOST: pbx.ami!.host,
        ASTERISK_AMI_PORT: String(pbx.ami!.port),
        ASTERISK_AMI_USER: 'mgr',
        ASTERISK_AMI_SECRET: 'mgr-secret',
      },
    });
    try {
      expect(server.telephony.mode).toBe('asterisk');
      expect(server.telephony.simulator).toBeUndefined();
      await until('AMI connected in /health', async () => {
        const h = (await server.app.inject({ method: 'GET', url: '/health' })).json() as Health;
        return h.telephony.ami?.connected === true;
      });
      expect((await server.telephony.ami!.ping()).ping).toBe('Pong');
    } finally {
      await server.cleanup();
      await pbx.close();
      t.cleanup();
    }
  });

  it('without ASTERISK_AMI_HOST there is no AMI client and /health says not configured', async () => {
    const t = tempDir('ami-pbx-');
    const pbx = await startSimulator({
      port: 0,
      ariUser: 'ari',
      ariPassword: 'ari-secret',
      recordingsDir: join(t.dir, 'rec'),
    });
    const server = await startTestServer({
      telephony: true,
      env: {
        ASTERISK_ARI_URL: `http://127.0.0.1:${pbx.port}`,
        ASTERISK_ARI_USER: 'ari',
        ASTERISK_ARI_PASSWORD: 'ari-secret',
      },
    });
    try {
      expect(server.telephony.ami).toBeUndefined();
      const h = (await server.app.inject({ method: 'GET', url: '/health' })).json() as Health;
      expect(h.telephony.ami).toEqual({ configured: false, connected: false });
    } finally {
      await server.cleanup();
      await pbx.close();
      t.cleanup();
    }
  });
});
