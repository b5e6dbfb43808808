import type { FastifyPluginAsync } from 'fastify';
import type { TelephonyMode } from '../../config/index.ts';
import type { Clock } from '../../shared/clock.ts';

export interface TelephonyHealth {
  mode: TelephonyMode;
  /** True while the ARI WebSocket (or the embedded simulator) is up. */
  connected: boolean;
  /** AMI is optional: `configured` false when no AMI host is set (simulator mode always has one). */
  ami?: { configured: boolean; connected: boolean };
  /** Does this instance own the calls (hold the lease, docs/scale-out.md)? Always true for a single instance. */
  owner?: boolean;
}

export interface HealthDeps {
  clock: Clock;
  startedAt: number;
  storeOk: () => boolean;
  telephony: () => TelephonyHealth;
}

export function healthRoutes(deps: HealthDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/health',
      {
        config: { public: true },
        schema: {
          summary: 'Liveness and the state of the store and the telephony connection (no token needed)',
          tags: ['system'],
          response: {
            200: {
              type: 'object',
              properties: {
                status: { type: 'string', enum: ['ok', 'degraded'] },
                uptime: { type: 'number', description: 'seconds since start' },
                store: { type: 'string', enum: ['ok', 'error'] },
                telephony: {
                  type: 'object',
                  properties: {
                    mode: { type: 'string', enum: ['simulator', 'asterisk'] },
                    connected: { type: 'boolean' },
                    ami: {
                      type: 'object',
                      description: 'the AMI connection (optional: configured is false without ASTERISK_AMI_HOST)',
                      properties: { configured: { type: 'boolean' }, connected: { type: 'boolean' } },
                      required: ['configured', 'connected'],
                    },
                    owner: {
                      type: 'boolean',
                      description: 'this instance owns the calls (holds the call-ownership lease); true when alone',
                    },
                  },
                  required: ['mode', 'connected'],
                },
              },
              required: ['status', 'uptime', 'store', 'telephony'],
            },
          },
        },
      },
      async () => {
        const store = deps.storeOk() ? 'ok' : 'error';
        const telephony = deps.telephony();
        return {
          // A standby is healthy without ARI: only the owner connects to it.
          status: store === 'ok' && (telephony.connected || telephony.owner === false) ? 'ok' : 'degraded',
          uptime: Math.round((deps.clock.now() - deps.startedAt) / 100) / 10,
          store,
          telephony,
        };
      },
    );

    // For load balancers (issue 12 item 6): live = the process answers; ready = send it traffic.
    app.get(
      '/health/live',
      {
        config: { public: true },
        schema: {
          summary: 'Liveness for a load balancer: 200 while the process serves HTTP (no token needed)',
          tags: ['system'],
          response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['live'] } } } },
        },
      },
      async () => ({ status: 'live' }),
    );
    app.get(
      '/health/ready',
      {
        config: { public: true },
        schema: {
          summary:
            'Readiness for a load balancer: 200 when the store is reachable and, on the instance owning the calls, ARI is connected; else 503',
          tags: ['system'],
          response: {
            '2xx': readyBody,
            503: readyBody,
          },
        },
      },
      async (_req, reply) => {
        const store = deps.storeOk();
        const telephony = deps.telephony();
        const owner = telephony.owner !== false;
        const ready = store && (!owner || telephony.connected);
        const reasons: string[] = [];
        if (!store) reasons.push('store unreachable');
        if (owner && !telephony.connected) reasons.push('owner of the calls without an ARI connection');
        return reply
          .code(ready ? 200 : 503)
          .send({ ready, store: store ? 'ok' : 'error', owner, ariConnected: telephony.connected, reasons });
      },
    );
  };
}

const readyBody = {
  type: 'object',
  properties: {
    ready: { type: 'boolean' },
    store: { type: 'string', enum: ['ok', 'error'] },
    owner: { type: 'boolean', description: 'this instance owns the calls' },
    ariConnected: { type: 'boolean' },
    reasons: { type: 'array', items: { type: 'string' }, description: 'why not ready (empty when ready)' },
  },
  required: ['ready', 'store', 'owner', 'ariConnected', 'reasons'],
} as const;
