import { describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { appInBrowser, pageProblems } from '../support/browser.js';

/** Swagger UI as a person opens it: from a host name that is not localhost, over plain HTTP. */
describe('/docs in a real browser', () => {
  const fixture = appInBrowser();

  it('renders Swagger UI from a non-localhost host over HTTP, with no console error', async () => {
    const { browser, base } = fixture;
    const page = await browser.newPage();
    const problems = pageProblems(page);
    const response = await page.goto(`${base}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).not.toContain(
      'upgrade-insecure-requests',
    );
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });
    expect(await page.locator('.swagger-ui .info .title').innerText()).toContain(
      'SubForge Dashboard API',
    );
    // The operations render, and one of them opens with its responses.
    await page.locator('.opblock').first().click();
    await page.locator('.opblock .responses-table').first().waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('asks browsers to upgrade to https only when the request came over TLS (trusted proxy)', async () => {
    const proxied = await startTestApp(fixture.stores, { TRUST_PROXY: 'true' });
    try {
      const secure = await fetch(`${proxied.url}/docs`, {
        headers: { 'X-Forwarded-Proto': 'https' },
      });
      expect(secure.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
      const plain = await fetch(`${proxied.url}/docs`);
      expect(plain.headers.get('content-security-policy')).not.toContain(
        'upgrade-insecure-requests',
      );
    } finally {
      await proxied.close();
    }
  });
});
