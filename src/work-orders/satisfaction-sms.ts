import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import type { SmsGateway } from '../sms/sms-gateway.ts';
import type { SmsRecord, SmsRepo } from '../store/sms-repo.ts';

/**
 * Sends the satisfaction survey (art. 27) through the SMS gateway and keeps every message, so a reply can
 * be matched to its order. A failed send is recorded, not retried here: silence then counts as satisfied
 * after 24 hours, which is what the rules say of an unanswered survey.
 */
export class SatisfactionSms {
  constructor(
    private readonly gateway: SmsGateway,
    private readonly repo: SmsRepo,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  sendSurvey(orderId: number, to: string, text: string): Promise<SmsRecord['status']> {
    return this.send('satisfaction', orderId, to, text);
  }

  /** Any outgoing SMS about an order (surveys, supervision warnings to units), recorded before it is sent. */
  async send(
    purpose: 'satisfaction' | 'supervision',
    orderId: number,
    to: string,
    text: string,
  ): Promise<SmsRecord['status']> {
    const id = await this.repo.insert({
      direction: 'out',
      orderId,
      purpose,
      phone: to,
      body: text,
      gatewayId: null,
      status: 'queued',
      error: null,
      createdAt: this.clock.now(),
    });
    try {
      const r = await this.gateway.send({ to, body: text });
      await this.repo.markSent(id, r.gatewayId);
      return 'sent';
    } catch (err) {
      const msg = (err as Error).message;
      await this.repo.markFailed(id, msg);
      this.logger.warn(
        { orderId, to: maskPhone(to), gateway: this.gateway.name, error: msg },
        `${purpose} SMS not sent`,
      );
      return 'failed';
    }
  }

  /** Records an incoming SMS; returns the survey it answers, if any. */
  async received(from: string, body: string): Promise<SmsRecord | null> {
    const survey = await this.repo.latestSurveyTo(from);
    await this.repo.insert({
      direction: 'in',
      orderId: survey?.orderId ?? null,
      purpose: 'reply',
      phone: from,
      body,
      gatewayId: null,
      status: 'received',
      error: null,
      createdAt: this.clock.now(),
    });
    return survey;
  }

  latestSurveyTo(phone: string): Promise<SmsRecord | null> {
    return this.repo.latestSurveyTo(phone);
  }
}
