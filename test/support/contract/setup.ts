import { afterAll, afterEach } from 'vitest';
import { Test } from 'supertest';
import { enableSocketChecks } from './asyncapi-contract.js';
import { checkResponse, enableContractChecks, takeMismatches } from './openapi-contract.js';

/**
 * Setup file of the e2e project: every HTTP answer a test receives through supertest,
 * fetch or the raw client is checked against /docs-json, and a test fails on any mismatch.
 */
enableContractChecks();
// Likewise every socket event and acknowledgement (test/support/socket.ts) against /docs/asyncapi.json.
enableSocketChecks();

type Headers = Record<string, string | string[] | undefined>;
interface SupertestResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text?: string;
  type?: string;
}

// supertest calls `assert` with every answer (whether the test uses expect, end or then).
type AssertFn = (this: Test, resError: Error | null, res: unknown, fn: unknown) => unknown;
const prototype = Test.prototype as unknown as { assert: AssertFn };
const assert = prototype.assert;
prototype.assert = function (
  this: Test & { method: string; url: string },
  resError: Error | null,
  res: unknown,
  fn: unknown,
) {
  const answer = res as SupertestResponse | undefined;
  if (answer && typeof answer.status === 'number') {
    const json = /json/.test(String(answer.headers['content-type'] ?? ''))
      ? answer.body
      : undefined;
    checkResponse({
      method: this.method,
      url: this.url,
      status: answer.status,
      headers: answer.headers,
      json,
      text: typeof answer.text === 'string' ? answer.text : undefined,
    });
  }
  return assert.call(this, resError, res, fn);
};

const pending: Promise<void>[] = [];
const originalFetch = globalThis.fetch;
globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
  const response = await originalFetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  const headers: Headers = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const isJson = /json/.test((headers['content-type'] as string) ?? '');
  if (!isJson) checkResponse({ method, url, status: response.status, headers });
  else
    pending.push(
      response
        .clone()
        .text()
        .then((text) => checkResponse({ method, url, status: response.status, headers, text }))
        .catch(() => undefined),
    );
  return response;
};

async function failOnMismatch(): Promise<void> {
  await Promise.all(pending.splice(0));
  const found = takeMismatches();
  if (found.length)
    throw new Error(`answers that /docs-json does not describe:\n- ${found.join('\n- ')}`);
}

afterEach(failOnMismatch);
afterAll(failOnMismatch);
