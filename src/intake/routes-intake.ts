import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { CHANNELS, type Channel } from '../domain/work-orders/types.ts';
import { sendError } from '../http/error-handler.ts';
import type { Clock } from '../shared/clock.ts';
import { throttledWarning } from '../shared/throttled-warning.ts';
import { SIGNATURE_TOLERANCE_MS } from '../sms/webhook-signature.ts';
import { allErrors, mapServiceErrors } from '../work-orders/routes-common.ts';
import { RateLimited, type CitizenSubmission, type IntakeService } from './intake-service.ts';
import { receiptSchema, statusSchema, submissionProperties, submissionRequired } from './intake-schemas.ts';
import { ReplayGuard, type SlidingWindowLimiter } from './rate-limiter.ts';
import { checkSignedRequest, headerOf, keepRawJsonBody } from './signed-request.ts';

/** A channel's credential: its id (`x-intake-key`), the channel it may post to, and the HMAC secret. */
export interface IntakeCredential {
  id: string;
  channel: Channel;
  secret: string;
}

/** Channels a citizen reaches the hotline through other than the phone (art. 2). */
export const INTAKE_CHANNELS = CHANNELS.filter((c) => c !== 'phone');

/** Parses `channel:id:secret` entries (config intake.credentials); throws naming the bad entry. */
export function parseCredentials(entries: readonly string[]): Map<string, IntakeCredential> {
  const out = new Map<string, IntakeCredential>();
  for (const [i, e] of entries.entries()) {
    const m = /^([a-z-]+):([A-Za-z0-9_.-]{1,64}):(.{16,})$/.exec(e);
    if (!m || !(INTAKE_CHANNELS as readonly string[]).includes(m[1]!))
      throw new Error(
        `intake.credentials[${i}]: expected channel:id:secret with a channel among ${INTAKE_CHANNELS.join(', ')} and a secret of at least 16 characters`,
      );
    if (out.has(m[2]!)) throw new Error(`intake.credentials[${i}]: credential id ${m[2]} is listed twice`);
    out.set(m[2]!, { channel: m[1] as Channel, id: m[2]!, secret: m[3]! });
  }
  return out;
}

export function rateLimitedReply(reply: FastifyReply, err: RateLimited): FastifyReply {
  reply.header('retry-after', String(Math.ceil(err.retryAfterMs / 1000)));
  return sendError(reply, 429, err.code, err.message);
}

/**
 * `POST /intake/{channel}` for the web form backend, the WeChat official-account backend and the mobile app,
 * each with its own credential: `x-intake-key` names it, `x-intake-timestamp` and `x-intake-signature`
 * (`sha256=` HMAC-SHA256 over `${timestamp}.${raw body}`) prove it, as for the SMS webhook; a signature is
 * accepted once. `GET /intake/status` reads an order's status by tracking code and phone number.
 */
export function intakeRoutes(deps: {
  intake: IntakeService;
  credentials: ReadonlyMap<string, IntakeCredential>;
  clock: Clock;
  /** Status look-ups per client address (the pair must not be guessed by trying). */
  statusLimiter: SlidingWindowLimiter;
  bodyLimit: number;
}): FastifyPluginAsync {
  return async (app) => {
    mapServiceErrors(app);
    keepRawJsonBody(app);
    const replays = new ReplayGuard(deps.clock, SIGNATURE_TOLERANCE_MS);
    const refusals = throttledWarning({
      logger: app.log,
      clock: deps.clock,
      msg: 'intake calls refused (at most one line a minute)',
    });
    app.addHook('onClose', async () => refusals.flush());

    app.post<{ Params: { channel: Channel }; Body: CitizenSubmission }>(
      '/intake/:channel',
      {
        bodyLimit: deps.bodyLimit,
        config: { public: true, selfAuthenticated: true },
        preValidation: async (request, reply) => {
          const key = headerOf(request.headers['x-intake-key']);
          const cred = key === undefined ? undefined : deps.credentials.get(key);
          const channel = (request.params as { channel?: string }).channel;
          const refuse = (reason: string) => {
            refusals.note({ statusCode: 401, reason, channel });
            return sendError(reply, 401, 'bad-signature', `intake refused: ${reason}`);
          };
          if (!cred) return refuse(key === undefined ? 'missing x-intake-key header' : 'unknown x-intake-key');
          if (cred.channel !== channel) return refuse(`credential ${cred.id} is not for channel ${channel}`);
          const check = checkSignedRequest(request, {
            prefix: 'x-intake',
            secret: cred.secret,
            now: deps.clock.now(),
            replays,
          });
          if (!check.ok) return refuse(check.reason);
        },
        schema: {
          summary: 'A citizen submission from a channel backend (HMAC-signed per channel credential)',
          tags: ['intake'],
          params: {
            type: 'object',
            additionalProperties: false,
            required: ['channel'],
            properties: { channel: { type: 'string', enum: [...INTAKE_CHANNELS] } },
          },
          body: {
            type: 'object',
            additionalProperties: false,
            required: [...submissionRequired],
            properties: submissionProperties,
          },
          response: { 201: receiptSchema, ...allErrors, 429: allErrors[400] },
        },
      },
      async (request, reply) => {
        const key = headerOf(request.headers['x-intake-key'])!;
        try {
          const receipt = await deps.intake.submit(request.params.channel, key, request.body);
          return reply.code(201).send(receipt);
        } catch (err) {
          if (err instanceof RateLimited) return rateLimitedReply(reply, err);
          throw err;
        }
      },
    );

    app.get<{ Querystring: { code: string; phone: string } }>(
      '/intake/status',
      {
        config: { public: true },
        schema: {
          summary: 'Status of a citizen submission by tracking code and phone number (no sign-in)',
          tags: ['intake'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['code', 'phone'],
            properties: {
              code: { type: 'string', pattern: '^[0-9]{10}$' },
              phone: { type: 'string', minLength: 5, maxLength: 32, pattern: '^[0-9+() -]+$' },
            },
          },
          response: { 200: statusSchema, ...allErrors, 429: allErrors[400] },
        },
      },
      async (request, reply) => {
        const wait = deps.statusLimiter.take(request.ip);
        if (wait !== null)
          return rateLimitedReply(reply, new RateLimited('status-rate-limited', 'too many status look-ups', wait));
        const s = await deps.intake.status(request.query.code, request.query.phone);
        if (!s) return sendError(reply, 404, 'not-found', 'no submission with this tracking code and phone number');
        return s;
      },
    );
  };
}
