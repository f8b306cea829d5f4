import type { Redis } from 'ioredis';

/** What Keyv hands its serializer: the value and its expiry (ms since epoch). */
export interface KeyvEntry {
  value?: unknown;
  expires?: number | null;
}

/** Marks an entry whose value is a string stored as is, after its expiry and a newline. */
const RAW = 's:';

/**
 * Keyv's serializer for the response cache. A cached response is already its JSON text;
 * Keyv's default would encode it a second time inside `{value, expires}` (escaping every
 * quote) and a hit would parse it back. Strings are stored raw behind a short header
 * instead, so a hit is one slice; anything else is JSON as before.
 */
export function serializeEntry(data: KeyvEntry): string {
  if (typeof data.value === 'string') return `${RAW}${data.expires ?? ''}\n${data.value}`;
  return JSON.stringify(data);
}

export function deserializeEntry(text: string): KeyvEntry | undefined {
  if (!text.startsWith(RAW)) return JSON.parse(text) as KeyvEntry;
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const expires = text.slice(RAW.length, newline);
  return { value: text.slice(newline + 1), expires: expires ? Number(expires) : undefined };
}

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
