// asterisk-manager 0.2.0 ships no types; this declares only the surface the adapter uses.
declare module 'asterisk-manager' {
  type Callback = (err?: unknown, res?: unknown) => void;
  interface ManagerInstance {
    on(event: string, listener: (...args: any[]) => void): void;
    once(event: string, listener: (...args: any[]) => void): void;
    removeListener(event: string, listener: (...args: any[]) => void): void;
    removeAllListeners(event?: string): void;
    connect(port: number, host: string, callback?: (err?: unknown) => void): void;
    login(callback?: Callback): void;
    action(action: Record<string, unknown>, callback?: Callback): string;
    disconnect(callback?: () => void): void;
    isConnected(): boolean;
  }
  function Manager(
    port?: number,
    host?: string,
    username?: string,
    password?: string,
    events?: boolean,
  ): ManagerInstance;
  export type { ManagerInstance };
  export default Manager;
}
