import { maskPhone } from '../shared/phone-mask.ts';
import type { Logger } from '../shared/logger.ts';
import type { SmsGateway, SmsMessage, SmsSendResult } from './sms-gateway.ts';

/**
 * The default gateway: writes the message to the log (number masked) and sends nothing. A site without an
 * SMS contract still runs; surveys then simply time out as satisfied after 24 h (rules art. 27).
 */
export class LogOnlySmsGateway implements SmsGateway {
  readonly name = 'log-only';
  readonly sent: { to: string; body: string }[] = [];
  private seq = 0;

  constructor(
    private readonly logger?: Pick<Logger, 'info'>,
    private readonly keep = 100,
  ) {}

  async send(message: SmsMessage): Promise<SmsSendResult> {
    const id = `log-${++this.seq}`;
    this.logger?.info(
      { sms: { to: maskPhone(message.to), length: message.body.length, id } },
      'SMS not sent (log-only gateway)',
    );
    this.sent.push({ to: message.to, body: message.body });
    if (this.sent.length > this.keep) this.sent.shift();
    return { gatewayId: id };
  }
}
