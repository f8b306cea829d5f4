import type { Request, Response } from 'express';
import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { helmetOptions, securityHeaders } from './security-headers.js';

function headersFrom(
  middleware: (req: Request, res: Response, next: () => void) => void,
  secure: boolean,
) {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  let nextCalls = 0;
  middleware({ secure } as Request, res as unknown as Response, () => nextCalls++);
  expect(nextCalls).toBe(1);
  return headers;
}

describe('securityHeaders', () => {
  const ours = securityHeaders();

  it.each([false, true])('sets what helmet sets on each request (TLS: %s)', (secure) => {
    const helmets = headersFrom(helmet(helmetOptions(secure)), secure);
    expect(headersFrom(ours, secure)).toEqual(helmets);
    expect(helmets.get('x-content-type-options')).toBe('nosniff');
  });

  it('asks browsers to upgrade to HTTPS only on answers served over TLS', () => {
    const plain = headersFrom(ours, false);
    const secure = headersFrom(ours, true);
    expect(plain.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(plain.has('strict-transport-security')).toBe(false);
    expect(secure.get('content-security-policy')).toContain('upgrade-insecure-requests');
    expect(secure.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});
