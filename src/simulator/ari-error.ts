/** A REST failure with Asterisk's status, reason phrase and body (usually `{"message": ...}`). */
export class AriError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
    readonly body: unknown = { message },
  ) {
    super(message);
  }
}

export const notFound = (what: 'Channel' | 'Bridge' | 'Playback' | 'Recording' | 'Application' | 'Sound') =>
  new AriError(404, `${what} not found`, what === 'Bridge' ? 'Not found' : 'Not Found');
export const notInStasis = () => new AriError(409, 'Channel not in Stasis application', 'Conflict');
