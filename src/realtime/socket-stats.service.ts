import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectRuntime, Runtime } from '../config/config.module.js';
import { RedisService } from '../redis/redis.service.js';

const BUCKET_SECONDS = 10;
const FLUSH_MS = 500;
const INSTANCE_TTL_MS = 10_000;
const HOUR_BUCKETS = 3600 / BUCKET_SECONDS;

/** Records the connection count of one instance and raises the cluster-wide peak. */
const REPORT_SCRIPT = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local total = 0
local now = tonumber(ARGV[3])
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local count, seen = string.match(entries[i + 1], '^(%d+):(%d+)$')
  if count and now - tonumber(seen) <= tonumber(ARGV[4]) then
    total = total + tonumber(count)
  else
    redis.call('HDEL', KEYS[1], entries[i])
  end
end
local peak = tonumber(redis.call('GET', KEYS[2]) or '0')
if total > peak then redis.call('SET', KEYS[2], total) end
return total
`;

export interface MessageCounts {
  sent_last_minute: number;
  received_last_minute: number;
  sent_last_hour: number;
  received_last_hour: number;
}

/**
 * Socket.IO counters shared by every instance through Redis: messages in and out
 * (10-second buckets, kept an hour), live instances with their connections, and the
 * peak of connections across the cluster.
 */
@Injectable()
export class SocketStats implements OnApplicationShutdown {
  private readonly logger = new Logger('SocketStats');
  private sent = 0;
  private received = 0;
  private connections = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {
    this.redis.client.defineCommand('subforgeReportConnections', {
      numberOfKeys: 2,
      lua: REPORT_SCRIPT,
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  countSent(recipients: number): void {
    this.sent += recipients;
  }

  countReceived(): void {
    this.received++;
  }

  setConnections(count: number): void {
    this.connections = count;
  }

  private bucket(offset = 0): number {
    return Math.floor(Date.now() / 1000 / BUCKET_SECONDS) - offset;
  }

  private key(kind: 'sent' | 'received', bucket: number): string {
    return this.redis.key('ws', kind, bucket);
  }

  async flush(): Promise<void> {
    const { sent, received } = this;
    this.sent = 0;
    this.received = 0;
    const bucket = this.bucket();
    try {
      const pipeline = this.redis.client.pipeline();
      if (sent)
        pipeline.incrby(this.key('sent', bucket), sent).expire(this.key('sent', bucket), 2 * 3600);
      if (received)
        pipeline
          .incrby(this.key('received', bucket), received)
          .expire(this.key('received', bucket), 2 * 3600);
      await pipeline.exec();
      await (
        this.redis.client as unknown as {
          subforgeReportConnections(...args: (string | number)[]): Promise<number>;
        }
      ).subforgeReportConnections(
        this.redis.key('ws', 'instances'),
        this.redis.key('ws', 'peak'),
        this.runtime.instanceId,
        `${this.connections}:${Date.now()}`,
        Date.now(),
        INSTANCE_TTL_MS,
      );
    } catch (error) {
      // Keep the counts for the next flush.
      this.sent += sent;
      this.received += received;
      this.logger.debug(`stats not flushed: ${(error as Error).message}`);
    }
  }

  async messageCounts(): Promise<MessageCounts> {
    const now = this.bucket();
    const buckets = Array.from({ length: HOUR_BUCKETS }, (_, i) => now - i);
    const [sent, received] = await Promise.all(
      (['sent', 'received'] as const).map((kind) =>
        this.redis.client.mget(...buckets.map((b) => this.key(kind, b))),
      ),
    );
    const sum = (values: (string | null)[], count: number) =>
      values.slice(0, count).reduce((total, v) => total + Number(v ?? 0), 0);
    const minuteBuckets = 60 / BUCKET_SECONDS + 1;
    return {
      sent_last_minute: sum(sent, minuteBuckets),
      received_last_minute: sum(received, minuteBuckets),
      sent_last_hour: sum(sent, HOUR_BUCKETS),
      received_last_hour: sum(received, HOUR_BUCKETS),
    };
  }

  async peak(): Promise<number> {
    return Number((await this.redis.client.get(this.redis.key('ws', 'peak'))) ?? 0);
  }

  /** Instances that reported within the last 10 s. */
  async instances(): Promise<{ instance_id: string; connections: number }[]> {
    const entries = await this.redis.client.hgetall(this.redis.key('ws', 'instances'));
    const now = Date.now();
    return Object.entries(entries)
      .map(([instance_id, value]) => {
        const [count, seen] = value.split(':').map(Number);
        return { instance_id, connections: count, seen };
      })
      .filter((entry) => now - entry.seen <= INSTANCE_TTL_MS)
      .map(({ instance_id, connections }) => ({ instance_id, connections }));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (!this.timer) return;
    this.connections = 0;
    await this.flush();
    await this.redis.client
      .hdel(this.redis.key('ws', 'instances'), this.runtime.instanceId)
      .catch(() => undefined);
  }
}
