import { isAriNotFound } from '../telephony/ari/errors.ts';
import type { AriRestClient } from '../telephony/ari/rest-client.ts';

/**
 * The caller's hold, kept on the PBX. A channel's ARI snapshot says nothing about music on hold, so after
 * kill -9 a restarted server could not tell a held caller from a talking one: the agent's "resume" would
 * be refused while the caller still heard music. effects.ts sets this variable on the caller's channel
 * with every talk-phase hold (hold, consultation) and clears it on resume; the reconciler reads it back.
 */
export const HOLD_VARIABLE = 'CTI_ON_HOLD';

/** True when the caller's channel was left on hold. An unset variable is a 404 on a real Asterisk 22. */
export async function readHoldMarker(rest: AriRestClient, channelId: string): Promise<boolean> {
  try {
    const v = await rest.channels.getVariable(channelId, HOLD_VARIABLE, { timeoutMs: 2000 });
    return v.value === '1';
  } catch (err) {
    if (isAriNotFound(err)) return false;
    throw err;
  }
}
