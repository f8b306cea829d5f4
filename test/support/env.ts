import { randomBytes } from 'node:crypto';

export const TEMPLATE_DATABASE = 'subforge_test_template';

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

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}
