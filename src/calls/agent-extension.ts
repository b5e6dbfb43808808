import type { Rejection } from '../domain/calls/decide.ts';

/**
 * The site's rule for what an agent may give as their extension, and the wording of the refusal when
 * another agent holds it. Used by both ways of signing in (HTTP /agents/me/sign-in and the socket.io
 * `/agent` namespace), so that they answer alike. The rule "one phone, one agent" itself is decided in
 * the domain (src/domain/calls/decide.ts); this only names the holder in words a person knows.
 */
export interface ExtensionPolicy {
  /** The pattern as configured (config asterisk.agentExtensionPattern), shown in refusals. */
  readonly pattern: string;
  /** Whether the whole extension matches the pattern. */
  fits(extension: string): boolean;
  /** The display name of the user signed in as this agent (agent ids are user names), if known. */
  describeAgent(agentId: string): Promise<string | undefined>;
}

/** Default seat numbers: 3 to 6 digits (config/default.json agrees). */
export const DEFAULT_EXTENSION_PATTERN = '^[0-9]{3,6}$';

/** `describeAgent` absent: refusals name the holder by user name only. */
export function extensionPolicy(
  pattern: string,
  describeAgent: ExtensionPolicy['describeAgent'] = async () => undefined,
): ExtensionPolicy {
  // Anchored here as well, so that a pattern configured without ^ and $ still has to match it all.
  const whole = new RegExp(`^(?:${pattern})$`);
  return { pattern, fits: (extension) => whole.test(extension), describeAgent };
}

/** A 400 naming the pattern when the extension does not fit it. */
export function checkExtension(policy: ExtensionPolicy, extension: string): Rejection | undefined {
  if (policy.fits(extension)) return undefined;
  return {
    code: 'invalid-extension',
    message: `extension ${JSON.stringify(extension.slice(0, 40))} does not match the extension pattern ${policy.pattern}`,
  };
}

/** Rewrites the domain's `extension-in-use` refusal to name the extension and the holder's display name. */
export async function explainRejection(policy: ExtensionPolicy, extension: string, r: Rejection): Promise<Rejection> {
  if (r.code !== 'extension-in-use' || r.holder === undefined) return r;
  let name: string | undefined;
  try {
    name = await policy.describeAgent(r.holder);
  } catch {
    name = undefined; // The user name alone still says who holds it.
  }
  const who = name && name !== r.holder ? `${name} (${r.holder})` : r.holder;
  return {
    ...r,
    message: `extension ${extension} is in use by ${who}; they must sign out there first, or choose another extension`,
  };
}

/** The default pattern, holders named by user name only (tests and callers that configure nothing). */
export const defaultExtensionPolicy: ExtensionPolicy = extensionPolicy(DEFAULT_EXTENSION_PATTERN);
