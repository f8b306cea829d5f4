import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { loadDotEnv } from './dotenv.js';

describe("the original backend's configuration names", () => {
  it('apply when ours are unset, with one warning each naming ours', () => {
    const config = loadConfig({
      ENABLE_CACHING: 'false',
      ENABLE_RATE_LIMITING: '0',
      CACHE_TTL_DEFAULT: '120',
      MAX_WEBSOCKET_CONNECTIONS: '500',
      ENABLE_BACKGROUND_TASKS: 'false',
      CELERY_BROKER_URL: 'redis://localhost:6379/0',
    });
    expect(config).toMatchObject({
      cacheEnabled: false,
      rateLimitEnabled: false,
      cacheTtlSeconds: 120,
      socketMaxConnections: 500,
      role: 'api',
    });
    expect(config.warnings).toHaveLength(6);
    for (const ours of [
      'CACHE_ENABLED',
      'RATE_LIMIT_ENABLED',
      'CACHE_TTL_SECONDS',
      'SOCKET_MAX_CONNECTIONS',
      'ROLE',
    ])
      expect(
        config.warnings.filter((warning) => warning.includes(`set ${ours} instead`)),
      ).toHaveLength(1);
    expect(
      config.warnings.some((warning) => warning.startsWith('CELERY_BROKER_URL is ignored')),
    ).toBe(true);
  });

  it('give way to ours, and are checked under their own name', () => {
    const config = loadConfig({
      CACHE_ENABLED: 'true',
      ENABLE_CACHING: 'false',
      ROLE: 'worker',
      ENABLE_BACKGROUND_TASKS: 'true',
    });
    expect(config.cacheEnabled).toBe(true);
    expect(config.role).toBe('worker');
    expect(config.warnings.some((warning) => warning.includes('ENABLE_CACHING is ignored'))).toBe(
      true,
    );

    const error = (() => {
      try {
        loadConfig({ ENABLE_CACHING: 'maybe', MAX_WEBSOCKET_CONNECTIONS: '-3' });
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error?.problems.map((problem) => problem.variable)).toEqual([
      'ENABLE_CACHING',
      'MAX_WEBSOCKET_CONNECTIONS',
    ]);
  });

  it('say nothing when none is set', () => {
    expect(loadConfig({}).warnings).toEqual([]);
  });
});

describe('.env', () => {
  const folder = (content: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'subforge-dotenv-'));
    writeFileSync(join(dir, '.env'), content);
    return dir;
  };

  it('is read at start: the process environment wins and an empty value means unset', () => {
    const dir = folder('PORT=8123\nHOST=127.0.0.1\nLOG_LEVEL=\n# a comment\nROLE="api"\n');
    const env: Record<string, string | undefined> = { HOST: '10.0.0.1', LOG_LEVEL: 'debug' };
    expect(loadDotEnv(env, dir)?.applied).toEqual(['PORT', 'ROLE']);
    expect(loadConfig(env, dir)).toMatchObject({
      port: 8123,
      host: '10.0.0.1',
      role: 'api',
      logLevel: 'debug',
    });
  });

  it('is not read under NODE_ENV=test', () => {
    const env: Record<string, string | undefined> = { NODE_ENV: 'test' };
    expect(loadDotEnv(env, folder('PORT=8123\n'))).toBeNull();
    expect(env.PORT).toBeUndefined();
  });

  it('copied from .env.example starts exactly as without it', () => {
    const dir = folder(readFileSync('.env.example', 'utf8'));
    const env: Record<string, string | undefined> = {};
    loadDotEnv(env, dir);
    expect(loadConfig(env, dir)).toEqual(loadConfig({}, dir));
  });

  it('.env.example lists the new variables and none of the original names', () => {
    const example = readFileSync('.env.example', 'utf8');
    expect(example).toMatch(/^CACHE_TTL_SECONDS=300$/m);
    expect(example).toMatch(/^SOCKET_MAX_CONNECTIONS=0$/m);
    expect(example).not.toMatch(/^(ENABLE_CACHING|MAX_WEBSOCKET_CONNECTIONS)=/m);
  });
});
