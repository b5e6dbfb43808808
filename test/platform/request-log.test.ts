import { describe, expect, it } from 'vitest';
import { maskDigitsInUrl } from '../../src/http/request-log.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { ADMIN, bearer, login, startTestServer } from './helpers.ts';

describe('request logging', () => {
  it('masks phone numbers in logged URLs', () => {
    expect(maskDigitsInUrl('/work-orders?phone=13812341234&page=2')).toBe('/work-orders?phone=138****1234&page=2');
    expect(maskDigitsInUrl('/callers/%2B8613812341234/orders')).toBe('/callers/138****1234/orders');
    expect(maskDigitsInUrl('/users/12')).toBe('/users/12');
  });

  it('never writes a full phone number, a token or a password to the log', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'trace', destination: { write: (s: string) => void lines.push(s) } });
    const server = await startTestServer({ logger });
    try {
      const token = await login(server, ADMIN.username, ADMIN.password);
      const refused = await server.app.inject({ method: 'GET', url: '/users?phone=13812341234', headers: bearer(token) });
      expect(refused.json()).toMatchObject({ statusCode: 400, message: 'querystring has an unknown field "phone"; it is not allowed' });
      await server.app.inject({ method: 'GET', url: '/no/such/13812341234', headers: bearer(token) });
      const text = lines.join('');
      expect(text).toContain('138****1234');
      expect(text).not.toContain('13812341234');
      expect(text).not.toContain(token);
      expect(text).not.toContain(ADMIN.password);
    } finally {
      await server.cleanup();
    }
  });
});
