import type { FastifyPluginAsync } from 'fastify';
import { CHANNELS, ORDER_TYPES, type Channel, type OrderType } from '../domain/work-orders/types.ts';
import { sendError } from '../http/error-handler.ts';
import { ReplayGuard } from '../intake/rate-limiter.ts';
import { checkSignedRequest, keepRawJsonBody } from '../intake/signed-request.ts';
import type { Clock } from '../shared/clock.ts';
import { throttledWarning } from '../shared/throttled-warning.ts';
import { SIGNATURE_TOLERANCE_MS } from '../sms/webhook-signature.ts';
import type { ExchangeRepo } from '../store/exchange-repo.ts';
import { EXCHANGE_FORMAT_VERSION } from '../work-orders/exchange-format.ts';
import { allErrors, mapServiceErrors } from '../work-orders/routes-common.ts';
import { SYSTEM_CALLER, type WorkOrderService } from '../work-orders/work-order-service.ts';

/** An order the regional platform assigns to this city (`12345-exchange/1`, docs/work-orders.md). */
export interface RegionalAssignment {
  format: typeof EXCHANGE_FORMAT_VERSION;
  regionalId: string;
  channel: Channel;
  type: OrderType;
  category: string;
  content: string;
  location?: string;
  emergency?: boolean;
  confidential?: boolean;
  requester?: { name?: string; phone?: string; contactPhone?: string };
}

type TakeIn = { kind: 'new' | 'known'; orderId: number } | { kind: 'busy' };

/**
 * A claim without its order older than this was cut short by a crash (taking an order in takes milliseconds):
 * a redelivery then takes the order in. A younger one is another instance's delivery still in progress.
 */
const CLAIM_STALE_MS = 30_000;

const phone = { type: 'string', minLength: 3, maxLength: 32, pattern: '^[0-9+() -]+$' } as const;

/**
 * `POST /exchange/incoming`: orders the regional platform assigns to this city (art. 5, 16), signed like the
 * pushes the other way (`x-exchange-timestamp`, `x-exchange-signature`). Each becomes a local order once:
 * a second delivery of the same `regionalId` answers with the order made the first time.
 */
export function regionalWebhookRoutes(deps: {
  orders: WorkOrderService;
  exchange: Pick<ExchangeRepo, 'inbound' | 'claimInbound' | 'setInbound' | 'orderCreatedBy'>;
  secret: string | undefined;
  clock: Clock;
}): FastifyPluginAsync {
  return async (app) => {
    mapServiceErrors(app);
    keepRawJsonBody(app);
    const replays = new ReplayGuard(deps.clock, SIGNATURE_TOLERANCE_MS);
    const refusals = throttledWarning({
      logger: app.log,
      clock: deps.clock,
      msg: 'regional exchange webhook calls refused (at most one line a minute)',
    });
    app.addHook('onClose', async () => refusals.flush());
    // Deliveries of one regional id wait for each other, so two at once make one order.
    const inProgress = new Map<string, Promise<unknown>>();

    /**
     * The order is written with created_by `regional:<id>` in its own transaction. The regional id is claimed
     * before and pointed at the order after; a claim left without an order (a crash in between) is resolved by
     * looking for that creator, so a redelivery never makes a second order. Between instances the claim's
     * primary key decides: a fresh claim of another instance without its order yet is answered "busy".
     */
    const takeIn = async (b: RegionalAssignment): Promise<TakeIn> => {
      const creator = `regional:${b.regionalId}`;
      const now = deps.clock.now();
      const claim = await deps.exchange.inbound(b.regionalId);
      if (claim !== null && claim.orderId !== 0) return { kind: 'known', orderId: claim.orderId };
      if (claim !== null) {
        const made = await deps.exchange.orderCreatedBy(creator);
        if (made !== null) {
          await deps.exchange.setInbound(b.regionalId, made);
          return { kind: 'known', orderId: made };
        }
        if (now - claim.receivedAt < CLAIM_STALE_MS) return { kind: 'busy' };
      } else if (!(await deps.exchange.claimInbound(b.regionalId, now))) return { kind: 'busy' };
      const taken = await deps.orders.intake(
        {
          channel: b.channel,
          type: b.type,
          category: b.category,
          content: b.content,
          viaRegionalPlatform: true,
          ...(b.location ? { location: b.location } : {}),
          ...(b.emergency !== undefined ? { emergency: b.emergency } : {}),
          ...(b.confidential !== undefined ? { confidential: b.confidential } : {}),
          ...(b.requester?.name ? { requesterName: b.requester.name } : {}),
          ...(b.requester?.phone ? { requesterPhone: b.requester.phone } : {}),
          ...(b.requester?.contactPhone ? { contactPhone: b.requester.contactPhone } : {}),
        },
        { ...SYSTEM_CALLER, id: creator },
      );
      await deps.exchange.setInbound(b.regionalId, taken.order.id);
      return { kind: 'new', orderId: taken.order.id };
    };

    app.post<{ Body: RegionalAssignment }>(
      '/exchange/incoming',
      {
        config: { public: true, selfAuthenticated: true },
        preValidation: async (request, reply) => {
          if (!deps.secret) {
            refusals.note({ statusCode: 503, reason: 'not-configured' });
            return sendError(reply, 503, 'webhook-not-configured', 'the exchange webhook secret is not configured');
          }
          const check = checkSignedRequest(request, {
            prefix: 'x-exchange',
            secret: deps.secret,
            now: deps.clock.now(),
            replays,
          });
          if (!check.ok) {
            refusals.note({ statusCode: 401, reason: check.reason });
            return sendError(reply, 401, 'bad-signature', `exchange webhook refused: ${check.reason}`);
          }
        },
        schema: {
          summary: 'An order assigned by the regional 12345 platform (signed; idempotent by regionalId)',
          tags: ['exchange'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['format', 'regionalId', 'channel', 'type', 'category', 'content'],
            properties: {
              format: { type: 'string', const: EXCHANGE_FORMAT_VERSION },
              regionalId: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' },
              channel: { type: 'string', enum: [...CHANNELS] },
              type: { type: 'string', enum: [...ORDER_TYPES] },
              category: { type: 'string', minLength: 1, maxLength: 64 },
              content: { type: 'string', minLength: 1, maxLength: 4000 },
              location: { type: 'string', minLength: 1, maxLength: 200 },
              emergency: { type: 'boolean' },
              confidential: { type: 'boolean' },
              requester: {
                type: 'object',
                additionalProperties: false,
                properties: { name: { type: 'string', maxLength: 50 }, phone, contactPhone: phone },
              },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                orderId: { type: 'integer' },
                duplicate: { type: 'boolean' },
                regionalId: { type: 'string' },
              },
            },
            201: {
              type: 'object',
              properties: {
                orderId: { type: 'integer' },
                duplicate: { type: 'boolean' },
                regionalId: { type: 'string' },
              },
            },
            ...allErrors,
            503: allErrors[400],
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        for (;;) {
          const running = inProgress.get(b.regionalId);
          if (!running) break;
          await running.catch(() => undefined);
        }
        // Registered before the first await, so a second delivery to this instance waits for this one.
        const work = takeIn(b);
        inProgress.set(b.regionalId, work);
        try {
          const r = await work;
          if (r.kind === 'busy')
            return sendError(
              reply,
              409,
              'regional-id-in-progress',
              `regionalId ${b.regionalId} is being taken in by another instance; deliver it again later`,
            );
          return reply
            .code(r.kind === 'new' ? 201 : 200)
            .send({ orderId: r.orderId, duplicate: r.kind === 'known', regionalId: b.regionalId });
        } finally {
          inProgress.delete(b.regionalId);
        }
      },
    );
  };
}
