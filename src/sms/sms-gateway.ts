/** An SMS to send. `to` is a full number; adapters must never log it unmasked. */
export interface SmsMessage {
  to: string;
  body: string;
}

export interface SmsSendResult {
  /** The gateway's message id, when it gives one. */
  gatewayId: string | null;
}

/** The port through which every SMS leaves the server (satisfaction surveys, unit warnings). */
export interface SmsGateway {
  readonly name: string;
  send(message: SmsMessage): Promise<SmsSendResult>;
}

export class SmsGatewayError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SmsGatewayError';
  }
}
