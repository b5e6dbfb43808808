import { pino, type Logger, type LoggerOptions } from 'pino';
import { maskLogLine } from './log-masking.ts';

/**
 * Paths that may hold a phone number or a secret. pino's redact replaces them before the line is
 * written, so no log line ever holds a full number (rules art. 22) or a password.
 */
export const redactPaths = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'phone',
  '*.phone',
  'number',
  '*.number',
  '*.*.number',
  'caller.number',
  'callerNumber',
  '*.callerNumber',
  'contactPhone',
  '*.contactPhone',
  'requesterPhone',
  '*.requesterPhone',
  'channel.caller.number',
  'channel.connected.number',
  'event.channel.caller.number',
  'event.channel.connected.number',
];

export function createLogger(
  opts: { level?: string; pretty?: boolean; destination?: pino.DestinationStream } = {},
): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { service: 'hotline-cti' },
    // Every line is read back before it is written: numbers and secrets in fields no path above names
    // (error messages, echoed URLs, ARI event previews) are masked too (log-masking.ts, issue 7 item 4).
    hooks: { streamWrite: maskLogLine },
  };
  if (opts.destination) return pino(options, opts.destination);
  const pretty = opts.pretty ?? Boolean(process.stdout.isTTY);
  if (pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } },
    });
  }
  return pino(options);
}

export type { Logger };
