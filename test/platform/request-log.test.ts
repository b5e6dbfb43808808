import { describe, expect, it } from 'vitest';
import { isNumberParam, maskUrlForLog } from '../../src/http/request-log.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { ADMIN, bearer, login, startTestServer } from './helpers.ts';

describe('request logging', () => {
  it('masks phone numbers in logged URLs', () => {
    expect(maskUrlForLog('/work-orders?phone=13812341234&page=2')).toBe('/work-orders?phone=138****1234&page=2');
    expect(maskUrlForLog('/callers/%2B8613812341234/orders')).toBe('/callers/138****1234/orders');
    expect(maskUrlForLog('/users/12')).toBe('/users/12');
  });

  it.each([
    ['138-1234-5678'],
    ['138%201234%205678'],
    ['138+1234+5678'],
    ['%31%33%38%31%32%33%34%35%36%37%38'],
    ['%2B86%20138%201234%205678'],
    ['+86+138+1234+5678'],
    ['0086-138-1234-5678'],
    ['(138)12345678'],
    ['%28138%2912345678'],
    ['138.1234.5678'],
  ])('given ?phone=%s, when logged, then the number is decoded and masked by the parameter name', (sent) => {
    expect(maskUrlForLog(`/work-orders/by-phone?phone=${sent}&limit=5`)).toBe(
      '/work-orders/by-phone?phone=138****5678&limit=5',
    );
  });

  it('given a number in a parameter or path no schema names, when logged, then it is masked by its pattern, whatever the separators or encoding', () => {
    expect(maskUrlForLog('/x?q=%E7%94%B5%E8%AF%9D%20138-1234-5678')).toBe(
      `/x?q=${encodeURIComponent('电话 ')}138****5678`,
    );
    expect(maskUrlForLog('/x?note=%31%33%38%2D1234%2D5678')).toBe('/x?note=138****5678');
    expect(maskUrlForLog('/callers/(010)%2087654321/orders')).toBe('/callers/010****4321/orders');
    expect(maskUrlForLog('/x?callerNumber=1&contact=+86%20138%201234%205678')).toBe(
      '/x?callerNumber=1&contact=138****5678',
    );
  });

  it('given a token, password or secret in the query, when logged, then only the parameter name is', () => {
    expect(maskUrlForLog('/ui/agent?token=v1.abc.def&x=1')).toBe('/ui/agent?token=[redacted]&x=1');
    expect(maskUrlForLog('/a?access_token=t&password=p%40ss&secret=s&SMS_SECRET=z')).toBe(
      '/a?access_token=[redacted]&password=[redacted]&secret=[redacted]&SMS_SECRET=[redacted]',
    );
  });

  it('every query parameter of the routes that takes a phone number is masked by its name', async () => {
    const phoneParams: string[] = [];
    const server = await startTestServer({
      onRoute: (r) => {
        const props =
          (r.schema as { querystring?: { properties?: Record<string, { pattern?: string }> } } | undefined)?.querystring
            ?.properties ?? {};
        for (const [name, s] of Object.entries(props)) {
          // A phone number's schema accepts digits, +, parentheses, dashes and spaces.
          if (s.pattern !== undefined && /\+/.test(s.pattern) && new RegExp(s.pattern).test('+86 138-1234-5678'))
            phoneParams.push(`${String(r.method)} ${r.url} ${name}`);
        }
      },
    });
    await server.cleanup();
    expect(phoneParams).toContain('GET /work-orders/by-phone phone');
    for (const p of phoneParams) expect(isNumberParam(p.split(' ').at(-1)!), p).toBe(true);
  });

  it('never writes a full phone number, a token or a password to the log', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'trace', destination: { write: (s: string) => void lines.push(s) } });
    const server = await startTestServer({ logger });
    try {
      const token = await login(server, ADMIN.username, ADMIN.password);
      const refused = await server.app.inject({
        method: 'GET',
        url: '/users?phone=13812341234',
        headers: bearer(token),
      });
      expect(refused.json()).toMatchObject({
        statusCode: 400,
        message: 'querystring has an unknown field "phone"; it is not allowed',
      });
      const unknown = await server.app.inject({ method: 'GET', url: '/no/such/138-1234-1234', headers: bearer(token) });
      expect(unknown.json().message).toBe('no route GET /no/such/138****1234');
      await server.app.inject({ method: 'GET', url: `/users?token=${token}`, headers: bearer(token) });
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
