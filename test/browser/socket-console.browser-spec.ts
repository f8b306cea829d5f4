import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from '../support/app.js';
import { appInBrowser, pageProblems } from '../support/browser.js';
import { apiKey } from '../support/identities.js';

/** /docs/socket as a person uses it: connect, join agents, watch an agent being created. */
describe('/docs/socket in a real browser', () => {
  const fixture = appInBrowser();

  it('connects with an admin key, joins agents and shows the agent_update of a new agent', async () => {
    const { app, browser, base } = fixture;
    const page = await browser.newPage();
    const problems = pageProblems(page);
    const response = await page.goto(`${base}/docs/socket`);
    expect(response?.status()).toBe(200);
    // The client messages come from the AsyncAPI document, each with its example.
    await page.locator('#message option[value="join_room"]').waitFor({ state: 'attached' });
    await page.selectOption('#message', 'task_fail');
    expect(JSON.parse(await page.inputValue('#payload'))).toHaveProperty('error');

    await page.fill('#token', TEST_ADMIN_KEY);
    await page.click('#connect');
    await page.locator('#status[data-state="connected"]').waitFor();
    await page.fill('#room', 'agents');
    await page.click('#join');
    await page.locator('#ack', { hasText: '"members_count": 1' }).waitFor();

    const created = await app
      .http()
      .post('/api/v2/agents')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ name: 'console-watched', agent_type: 'coder' })
      .expect(201);
    const event = page.locator('#events li[data-event="agent_update"]', {
      hasText: created.body.data?.id ?? created.body.id,
    });
    await event.first().waitFor({ timeout: 10_000 });
    expect(await event.first().getAttribute('data-rooms')).toContain('agents');
    expect(await event.first().getAttribute('data-id')).toMatch(/^\d+$/);

    // Filtering by another type hides it.
    await page.fill('#filter-room', 'tasks');
    expect(await event.first().isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
