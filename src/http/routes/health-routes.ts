import type { FastifyPluginAsync } from 'fastify';
import type { TelephonyMode } from '../../config/index.ts';
import type { Clock } from '../../shared/clock.ts';

export interface TelephonyHealth {
  mode: TelephonyMode;
  /** True while the ARI WebSocket (or the embedded simulator) is up. */
  connected: boolean;
  /** AMI is optional: `configured` false when no AMI host is set (simulator mode always has one). */
  ami?: { configured: boolean; connected: boolean };
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
          status: store === 'ok' && telephony.connected ? 'ok' : 'degraded',
          uptime: Math.round((deps.clock.now() - deps.startedAt) / 100) / 10,
          store,
          telephony,
        };
      },
    );
  };
}
