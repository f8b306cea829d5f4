import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { RedisService } from '../redis/redis.service.js';
import type { Admission } from './delivery/subscriber.js';

/** CONTRACT §4: at most 50 live connections per credential, across instances. */
export const CONNECTIONS_PER_CREDENTIAL = 50;
/** A connection not refreshed for this long (its instance died) no longer counts. */
const LEASE_MS = 90_000;
const REFRESH_MS = 30_000;
/** Leases refreshed per Redis call; between calls the event loop serves other work. */
export const REFRESH_CHUNK = 500;

/** Drops expired leases, then adds this one if the credential is under its limit. */
const ADMIT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/** Extends the leases that still exist (a closed connection's lease is not brought back). */
const REFRESH = `
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', ARGV[1], ARGV[i + 2])
  redis.call('PEXPIRE', key, ARGV[2])
end
return #KEYS`;

/**
 * Live connections per credential, counted in Redis as leases (a sorted set per
 * credential, scored by expiry) that each instance refreshes for its own sockets: a
 * crashed instance's connections stop counting within 90 seconds.
 */
@Injectable()
export class ConnectionLimits implements OnModuleDestroy {
  private readonly logger = new Logger('ConnectionLimits');
  /** This instance's leases: member → key. */
  private readonly leases = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly redis: RedisService) {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Takes a connection (of any transport) for its credential; false when it has 50 already. */
  async admit(connection: Admission, principal: Principal): Promise<boolean> {
    if (principal.kind === 'anonymous') return true;
    const key = this.redis.key('ws-connections', principal.kind, principal.id);
    const member = connection.key;
    const now = Date.now();
    try {
      const admitted = await this.redis.client.eval(
        ADMIT,
        1,
        key,
        now,
        now + LEASE_MS,
        CONNECTIONS_PER_CREDENTIAL,
        member,
        LEASE_MS,
      );
      if (admitted !== 1) return false;
    } catch (error) {
      // Like the other limits: without Redis, connections are served and the fault logged.
      this.logger.warn(`connection not counted: ${(error as Error).message}`);
      return true;
    }
    this.leases.set(member, key);
    connection.onClose(() => {
      this.leases.delete(member);
      this.redis.client.zrem(key, member).catch(() => undefined);
    });
    return true;
  }

  /**
   * Extends this instance's leases, one script call per chunk, one chunk at a time: with
   * 10,000 connections, two commands each in one pipeline held the event loop for a
   * quarter of a second every refresh.
   */
  async refresh(chunk = REFRESH_CHUNK): Promise<void> {
    const leases = [...this.leases];
    const until = Date.now() + LEASE_MS;
    let missed = 0;
    let reason = '';
    for (let start = 0; start < leases.length; start += chunk) {
      const part = leases.slice(start, start + chunk);
      try {
        await this.redis.client.eval(
          REFRESH,
          part.length,
          ...part.map(([, key]) => key),
          until,
          LEASE_MS,
          ...part.map(([member]) => member),
        );
      } catch (error) {
        // The other chunks still go: a lease not refreshed now has two more chances.
        missed += part.length;
        reason = (error as Error).message;
      }
    }
    if (missed)
      this.logger.warn(`${missed} of ${leases.length} connection leases not refreshed: ${reason}`);
  }
}
