import { SmsGatewayError, type SmsGateway, type SmsMessage, type SmsSendResult } from './sms-gateway.ts';

export interface HttpSmsGatewayOptions {
  /** The provider's send endpoint; receives POST {"to": "...", "body": "...", "sender": "..."} as JSON. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  sender?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * A generic HTTP SMS provider adapter. It expects a 2xx answer, optionally JSON with `id` or `messageId`;
 * anything else is an SmsGatewayError carrying the status, and a provider that does not answer within
 * `timeoutMs` is a timeout error rather than a hung survey.
 */
export class HttpSmsGateway implements SmsGateway {
  readonly name = 'http';
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: HttpSmsGatewayOptions) {
    const u = new URL(opts.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new Error(`SMS gateway URL must be http(s), got ${u.protocol}`);
    this.fetchFn = opts.fetch ?? fetch;
  }

  async send(message: SmsMessage): Promise<SmsSendResult> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.opts.token) headers['authorization'] = `Bearer ${this.opts.token}`;
    let res: Response;
    try {
      res = await this.fetchFn(this.opts.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          to: message.to,
          body: message.body,
          ...(this.opts.sender ? { sender: this.opts.sender } : {}),
        }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
    } catch (err) {
      const e = err as Error;
      throw new SmsGatewayError(
        e.name === 'TimeoutError'
          ? `SMS gateway did not answer within ${this.opts.timeoutMs ?? 5000} ms`
          : `SMS gateway unreachable: ${e.message}`,
      );
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new SmsGatewayError(`SMS gateway answered ${res.status}: ${text.slice(0, 200)}`, res.status);
    let gatewayId: string | null = null;
    try {
      const body = JSON.parse(text) as { id?: unknown; messageId?: unknown };
      const id = body.id ?? body.messageId;
      if (typeof id === 'string' || typeof id === 'number') gatewayId = String(id);
    } catch {
      // A 2xx without JSON is still a send.
    }
    return { gatewayId };
  }
}
