/** Every failure of the AMI adapter is one of these, never a raw response object. */
export class AmiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The action got no response within its deadline. */
export class AmiActionTimeoutError extends AmiError {
  constructor(
    readonly action: string,
    readonly timeoutMs: number,
  ) {
    super(`AMI action ${action} got no response within ${timeoutMs} ms`);
  }
}

/** Asterisk answered `Response: Error` (or another non-success response). */
export class AmiActionError extends AmiError {
  constructor(
    readonly action: string,
    /** Asterisk's `Message:` text, e.g. "Permission denied". */
    readonly reason: string,
    readonly response: Readonly<Record<string, string>>,
  ) {
    super(`AMI action ${action} failed: ${reason}`);
  }
}

/** The adapter is not logged in (connecting, backing off, or stopped) and the action's deadline passed. */
export class AmiNotConnectedError extends AmiError {
  constructor(
    readonly action: string,
    readonly state: string,
  ) {
    super(`AMI action ${action} not sent: connection is ${state}`);
  }
}

/** The connection dropped after the action was sent and before its response arrived. */
export class AmiConnectionLostError extends AmiError {
  constructor(readonly action: string) {
    super(`AMI connection lost while waiting for the response to ${action}`);
  }
}

/** Login was refused (wrong user or secret, or not permitted from this address). */
export class AmiLoginError extends AmiError {
  constructor(
    readonly user: string,
    readonly reason: string,
  ) {
    super(`AMI login as ${user} refused: ${reason}`);
  }
}
