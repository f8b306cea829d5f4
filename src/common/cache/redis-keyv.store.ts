import type { Redis } from 'ioredis';

/**
 * A Keyv store over our shared ioredis client, so the cache uses the same
 * connection, prefix and shutdown as everything else (one Redis factory).
 */
export class RedisKeyvStore {
  readonly namespace?: string;
  /** Keyv reads this to know it may pass TTLs through. */
  readonly opts = { dialect: 'redis' };

  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    if (ttl && ttl > 0) await this.client.set(this.prefix + key, value, 'PX', ttl);
    else await this.client.set(this.prefix + key, value);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(this.prefix + key)) > 0;
  }

  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      if (keys.length) await this.client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  /** The client belongs to RedisService, which closes it. */
  async disconnect(): Promise<void> {}

  on(): this {
    return this;
  }
}
