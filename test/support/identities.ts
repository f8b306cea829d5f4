import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { TEST_ADMIN_KEY } from './app.js';

export type KeyRole = 'viewer' | 'operator' | 'admin' | 'agent';

/** An API key of `role` made through the admin API. */
export async function createApiKey(
  url: string,
  role: KeyRole,
  agentId?: string,
): Promise<{ id: string; key: string }> {
  const response = await request(url)
    .post('/api/v2/auth/api-keys')
    .set('X-API-Key', TEST_ADMIN_KEY)
    .send({ name: `${role} key`, role, ...(agentId ? { agent_id: agentId } : {}) });
  if (response.status !== 201)
    throw new Error(`key creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.id, key: response.body.key };
}

/** A user of `role` and a signed-in token for it. */
export async function createUser(
  url: string,
  role: 'viewer' | 'operator' | 'admin',
): Promise<{ id: string; email: string; password: string; token: string }> {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const created = await request(url)
    .post('/api/v2/users')
    .set('X-API-Key', TEST_ADMIN_KEY)
    .send({ email, display_name: `${role} user`, password, role });
  if (created.status !== 201)
    throw new Error(`user creation failed: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await request(url).post('/api/v2/auth/login').send({ email, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  return { id: created.body.id, email, password, token: login.body.access_token };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
export const apiKey = (key: string) => ({ 'X-API-Key': key });
