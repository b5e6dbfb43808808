import type { Config } from '../../config/index.ts';
import type { Clock } from '../../shared/clock.ts';
import { AmiClient, type AmiLogger } from './ami-client.ts';

export {
  AmiClient,
  type AmiClientOptions,
  type AmiConnectionState,
  type AmiLogger,
  type AmiResponse,
  type AmiFieldValue,
} from './ami-client.ts';
export type { AmiEvent } from './ami-event.ts';
export * from './ami-errors.ts';

/**
 * The AMI connection for a configuration, or undefined when AMI is not configured (ASTERISK_AMI_HOST unset)
 * or incomplete. Not started: call `start()`, and `stop()` on shutdown.
 */
export function amiClientFromConfig(config: Config, clock: Clock, logger: AmiLogger): AmiClient | undefined {
  const a = config.asterisk;
  if (!a.amiHost || !a.amiUser || !a.amiSecret) return undefined;
  return new AmiClient({ host: a.amiHost, port: a.amiPort, user: a.amiUser, secret: a.amiSecret, clock, logger });
}
