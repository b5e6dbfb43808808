/** Just what test/conformance/asterisk-manager.test.ts uses of asterisk-manager 0.2.0 (it ships no types). */
declare module 'asterisk-manager' {
  /** Every key lowercased by the client, values as sent; repeated keys become arrays. */
  export type ManagerMessage = Record<string, string | string[] | Record<string, string> | undefined>;
  export interface Manager {
    connect(port: number, host: string, callback?: () => void): void;
    login(callback?: (err?: ManagerMessage) => void): void;
    /** On an `Response: Error` the callback's err is that raw response; there is no timeout. */
    action(
      action: Record<string, string | boolean | number>,
      callback?: (err: ManagerMessage | undefined, res: ManagerMessage) => void,
    ): string;
    disconnect(callback?: () => void): void;
    isConnected(): boolean;
    on(event: 'managerevent', listener: (event: ManagerMessage & { event: string }) => void): void;
    on(event: 'close' | 'end' | 'connect', listener: () => void): void;
    on(event: 'error', listener: (err: Error) => void): void;
    once(event: 'close' | 'end' | 'connect', listener: () => void): void;
    removeAllListeners(event?: string): void;
  }
  function AsteriskManager(
    port?: number,
    host?: string,
    username?: string,
    password?: string,
    events?: boolean,
  ): Manager;
  export default AsteriskManager;
}
