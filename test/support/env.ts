import { createHash, randomBytes } from 'node:crypto';

/**
 * Names the stores of this checkout, so that test runs of several checkouts on one
 * machine never touch each other's databases or Redis keys.
 */
export const CHECKOUT_ID = createHash('sha1').update(process.cwd()).digest('hex').slice(0, 6);
export const TEMPLATE_DATABASE = `subforge_tpl_${CHECKOUT_ID}`;
export const DATABASE_PREFIX = `subforge_t_${CHECKOUT_ID}_`;
export const REDIS_PREFIX = `t${CHECKOUT_ID}_`;

export function databaseServerUrl(): string {
  return process.env.TEST_DATABASE_SERVER_URL!;
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL!;
}

export function databaseUrl(name: string): string {
  const url = new URL(databaseServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export function randomSuffix(): string {
  return randomBytes(5).toString('hex');
}
