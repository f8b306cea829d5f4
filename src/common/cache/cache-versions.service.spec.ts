import { describe, expect, it } from 'vitest';
import type { RedisService } from '../../redis/redis.service.js';
import { CacheVersions } from './cache-versions.service.js';

/** Records each pipeline's INCRs; a pipeline takes a few milliseconds, as a round trip does. */
function recordingRedis() {
  const pipelines: string[][] = [];
  const redis = {
    key: (...parts: string[]) => parts.join(':'),
    client: {
      pipeline() {
        const keys: string[] = [];
        return {
          incr: (key: string) => keys.push(key),
          exec: async () => {
            pipelines.push(keys);
            await new Promise((resolve) => setTimeout(resolve, 5));
            return [];
          },
        };
      },
    },
  };
  return { pipelines, versions: new CacheVersions(redis as unknown as RedisService) };
}

describe('CacheVersions.bump', () => {
  it('makes a burst of bumps a few INCRs, each family once per round trip', async () => {
    const { pipelines, versions } = recordingRedis();
    await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        versions.bump(i % 2 ? ['agents'] : ['agents', 'tasks']),
      ),
    );
    expect(pipelines.length).toBeLessThanOrEqual(2);
    for (const keys of pipelines) expect(new Set(keys).size).toBe(keys.length);
  });

  it('answers a bump only after an INCR that started after it was asked', async () => {
    const { pipelines, versions } = recordingRedis();
    const first = versions.bump(['agents']);
    await Promise.resolve();
    await Promise.resolve();
    const second = versions.bump(['agents']);
    await Promise.all([first, second]);
    // The second did not ride on the INCR already in flight when it was asked.
    expect(pipelines).toEqual([['cache:v:agents'], ['cache:v:agents']]);
  });
});
