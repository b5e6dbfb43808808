import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { sendError } from '../http/error-handler.ts';
import { allErrors, mapServiceErrors } from '../work-orders/routes-common.ts';
import type { CategoryRecord } from '../store/work-orders-repo.ts';
import { RateLimited, type CitizenSubmission, type IntakeService } from './intake-service.ts';
import { receiptSchema, submissionProperties, submissionRequired } from './intake-schemas.ts';
import type { ProofOfWork } from './proof-of-work.ts';
import { rateLimitedReply } from './routes-intake.ts';
import type { SlidingWindowLimiter } from './rate-limiter.ts';
import '../http/fastify-types.ts';

const PAGE_DIR = fileURLToPath(new URL('../../public/intake/', import.meta.url));

/** The credential id the public form's submissions are counted under (its own rate-limit bucket). */
export const PUBLIC_FORM_CREDENTIAL = 'public-form';

/**
 * The public web form (`/public/submit`, zh-CN, no sign-in): the page, its script, the category list, a
 * proof-of-work challenge (`/public/challenge`) and the submission, taken on the `website` channel. Each
 * submission must carry a solved, unused challenge; challenges are also limited per client address.
 */
export function publicFormRoutes(deps: {
  intake: IntakeService;
  pow: ProofOfWork;
  categories: () => Promise<CategoryRecord[]>;
  /** Challenges handed out per client address. */
  challengeLimiter: SlidingWindowLimiter;
  bodyLimit: number;
}): FastifyPluginAsync {
  const send = async (reply: FastifyReply, file: string, type: string) =>
    reply
      .type(type)
      .header('cache-control', 'no-cache')
      .header(
        'content-security-policy',
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
      )
      .send(await readFile(PAGE_DIR + file));
  const config = { public: true } as const;

  return async (app) => {
    mapServiceErrors(app);
    app.get(
      '/public/submit',
      { config, schema: { hide: true, summary: 'Public submission form (zh-CN)' } },
      (_r, reply) => send(reply, 'submit.html', 'text/html; charset=utf-8'),
    );
    app.get('/public/submit.js', { config, schema: { hide: true, summary: 'Public form script' } }, (_r, reply) =>
      send(reply, 'submit.js', 'text/javascript; charset=utf-8'),
    );
    app.get(
      '/public/categories',
      { config, schema: { summary: 'Categories a citizen may choose (code and Chinese name)', tags: ['intake'] } },
      async () => (await deps.categories()).map((c) => ({ code: c.code, name: c.name, parentCode: c.parentCode })),
    );
    app.get(
      '/public/challenge',
      { config, schema: { summary: 'A proof-of-work challenge for the public form', tags: ['intake'] } },
      async (request, reply) => {
        const wait = deps.challengeLimiter.take(request.ip);
        if (wait !== null)
          return rateLimitedReply(reply, new RateLimited('challenge-rate-limited', 'too many challenges asked', wait));
        return deps.pow.issue();
      },
    );
    app.post<{ Body: CitizenSubmission & { challenge: string; nonce: string } }>(
      '/public/submit',
      {
        bodyLimit: deps.bodyLimit,
        config,
        schema: {
          summary: 'A submission from the public form, with a solved proof-of-work challenge',
          tags: ['intake'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: [...submissionRequired, 'challenge', 'nonce'],
            properties: {
              ...submissionProperties,
              challenge: { type: 'string', minLength: 1, maxLength: 200 },
              nonce: { type: 'string', minLength: 1, maxLength: 20 },
            },
          },
          response: { 201: receiptSchema, ...allErrors, 429: allErrors[400] },
        },
      },
      async (request, reply) => {
        const { challenge, nonce, ...submission } = request.body;
        const refused = deps.pow.verify(challenge, nonce);
        if (refused) return sendError(reply, 400, 'challenge-failed', `body.nonce: ${refused}`);
        try {
          return reply.code(201).send(await deps.intake.submit('website', PUBLIC_FORM_CREDENTIAL, submission));
        } catch (err) {
          if (err instanceof RateLimited) return rateLimitedReply(reply, err);
          throw err;
        }
      },
    );
  };
}
