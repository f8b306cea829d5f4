import { EventEmitter } from 'node:events';
import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { Repository } from 'typeorm';
import { UnauthorizedError } from '../common/errors/app-errors.js';
import { RedisService } from '../redis/redis.service.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { UserEntity } from './entities/user.entity.js';
import type { Principal } from './principal.js';
import { looksLikeJwt, sha256Hex } from './secrets.js';

/** How long a verified credential is trusted without asking PostgreSQL again. */
const POSITIVE_TTL_MS = 60_000;
/** How long an unknown key is remembered as unknown (cheap refusal of guessing). */
const NEGATIVE_TTL_MS = 10_000;
const MAX_CACHE_ENTRIES = 50_000;
const LAST_USED_FLUSH_MS = 30_000;

export interface JwtClaims {
  sub: string;
  role: string;
  typ: 'access';
  /** The user's session version at sign-in: a raised version ends the session. */
  sv: number;
  /** When the session signed in (seconds since epoch); refresh keeps it. */
  sat: number;
  exp?: number;
  iat?: number;
}

/** A credential that stopped being valid: sockets holding it are disconnected. */
export interface Invalidation {
  kind: 'api_key' | 'user';
  id: string;
}

interface CacheEntry<T> {
  value: T | null;
  until: number;
}

/** The principal of a stored API key (its validity is the caller's to check). */
function keyPrincipal(row: ApiKeyEntity): Principal {
  return {
    kind: 'api_key',
    id: row.id,
    role: row.role,
    agentId: row.agentId,
    userId: null,
    name: row.name,
    expiresAt: row.expiresAt?.getTime() ?? null,
  };
}

/**
 * Turns a bearer token (JWT or API key) into a Principal. Verification is cached in
 * this process, so a request costs neither a slow hash nor a database round trip;
 * revocations and user changes are broadcast over Redis and evict the entry on
 * every instance at once.
 */
@Injectable()
export class CredentialService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Credentials');
  private readonly keys = new Map<string, CacheEntry<Principal>>();
  private readonly users = new Map<string, CacheEntry<UserEntity>>();
  private readonly lastUsed = new Map<string, Date>();
  private readonly invalidations = new EventEmitter();
  /** Invalidations not broadcast because Redis was away. */
  private readonly unsent: Invalidation[] = [];
  private subscriber?: Redis;
  private flushTimer?: NodeJS.Timeout;

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly apiKeys: Repository<ApiKeyEntity>,
    @InjectRepository(UserEntity) private readonly userRepository: Repository<UserEntity>,
    private readonly jwt: JwtService,
    private readonly redis: RedisService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.create('auth-invalidations');
    this.subscriber.on('message', (_channel: string, message: string) =>
      this.applyInvalidation(message),
    );
    // Re-subscribes on its own after reconnects (ioredis autoResubscribe). What was
    // broadcast while this instance was away never reached it: forget every credential
    // verified so far (they are checked again in PostgreSQL on their next use).
    let connectedBefore = false;
    this.subscriber.on('ready', () => {
      if (connectedBefore) this.forgetAll();
      connectedBefore = true;
    });
    // And what this instance could not broadcast then goes out now.
    this.redis.client.on('ready', () => void this.sendUnsent());
    await this.subscriber.subscribe(this.channel).catch((error: Error) => {
      this.logger.warn(`cannot subscribe to invalidations yet: ${error.message}`);
    });
    this.flushTimer = setInterval(() => void this.flushLastUsed(), LAST_USED_FLUSH_MS);
    this.flushTimer.unref();
  }

  /** Before the database connection closes (that happens in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushLastUsed();
  }

  private get channel(): string {
    return this.redis.key('auth', 'invalidations');
  }

  /** Resolves a token or throws UnauthorizedError. */
  async authenticate(token: string): Promise<Principal> {
    const principal = looksLikeJwt(token)
      ? await this.fromJwt(token)
      : await this.fromApiKey(token);
    if (!principal) throw new UnauthorizedError('The credential is invalid, expired or revoked');
    return principal;
  }

  /** Calls `listener` whenever a key is revoked or a user changes, on any instance. */
  onInvalidation(listener: (invalidation: Invalidation) => void): void {
    this.invalidations.on('invalidation', listener);
  }

  /** Tells every instance (this one included) to forget a credential now. */
  async broadcastInvalidation(invalidation: Invalidation): Promise<void> {
    this.applyInvalidation(JSON.stringify(invalidation));
    await this.publish(invalidation);
  }

  private async publish(invalidation: Invalidation): Promise<void> {
    try {
      await this.redis.client.publish(this.channel, JSON.stringify(invalidation));
    } catch (error) {
      this.logger.error(
        `could not broadcast an invalidation (${invalidation.kind}) yet: ${(error as Error).message}`,
      );
      if (this.unsent.length < MAX_CACHE_ENTRIES) this.unsent.push(invalidation);
    }
  }

  private async sendUnsent(): Promise<void> {
    for (const invalidation of this.unsent.splice(0)) await this.publish(invalidation);
  }

  private forgetAll(): void {
    this.keys.clear();
    this.users.clear();
  }

  private applyInvalidation(message: string): void {
    let invalidation: Invalidation;
    try {
      invalidation = JSON.parse(message) as Invalidation;
    } catch {
      return;
    }
    if (invalidation.kind === 'user') {
      this.users.delete(invalidation.id);
    } else {
      for (const [hash, entry] of this.keys)
        if (entry.value?.id === invalidation.id) this.keys.delete(hash);
    }
    this.invalidations.emit('invalidation', invalidation);
  }

  private async fromApiKey(key: string): Promise<Principal | null> {
    if (key.length < 16 || key.length > 512) return null;
    const hash = sha256Hex(key);
    const now = Date.now();
    const cached = this.keys.get(hash);
    let principal: Principal | null;
    if (cached && cached.until > now) {
      principal = cached.value;
    } else {
      const row = await this.apiKeys.findOne({ where: { keyHash: hash } });
      principal = row && !row.revokedAt ? keyPrincipal(row) : null;
      this.remember(this.keys, hash, principal, principal ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS);
    }
    if (!principal || (principal.expiresAt !== null && principal.expiresAt <= now)) return null;
    this.lastUsed.set(principal.id, new Date(now));
    return principal;
  }

  private async fromJwt(token: string): Promise<Principal | null> {
    let claims: JwtClaims;
    try {
      claims = await this.jwt.verifyAsync<JwtClaims>(token, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    if (claims.typ !== 'access' || typeof claims.sub !== 'string') return null;
    if (typeof claims.sv !== 'number' || typeof claims.sat !== 'number') return null;
    // The user comes from this process's cache, evicted on every instance when the user
    // changes: checking the session version costs no round trip per request.
    const user = await this.findUser(claims.sub);
    if (!user || !user.isActive || user.sessionVersion !== claims.sv) return null;
    return {
      kind: 'user',
      id: user.id,
      role: user.role,
      agentId: null,
      userId: user.id,
      name: user.displayName,
      expiresAt: claims.exp ? claims.exp * 1000 : null,
      session: { version: claims.sv, startedAt: claims.sat * 1000 },
    };
  }

  /** An API key by id, if it is still valid (for sessions issued to a key). */
  async authenticateKeyId(id: string): Promise<Principal | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = await this.apiKeys.findOne({ where: { id } });
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now()))
      return null;
    return keyPrincipal(row);
  }

  /** The user behind a JWT: cached like keys, evicted on every change to the user. */
  async findUser(id: string): Promise<UserEntity | null> {
    const now = Date.now();
    const cached = this.users.get(id);
    if (cached && cached.until > now) return cached.value;
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const user = await this.userRepository.findOne({ where: { id } });
    this.remember(this.users, id, user, user ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS);
    return user;
  }

  private remember<T>(
    cache: Map<string, CacheEntry<T>>,
    key: string,
    value: T | null,
    ttl: number,
  ): void {
    if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, { value, until: Date.now() + ttl });
  }

  /** `last_used_at` is written in batches, off the request path. */
  private async flushLastUsed(): Promise<void> {
    if (!this.lastUsed.size) return;
    const entries = [...this.lastUsed.entries()];
    this.lastUsed.clear();
    try {
      await this.apiKeys.manager.query(
        `UPDATE api_keys SET last_used_at = v.used FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, used)
         WHERE api_keys.id = v.id AND (api_keys.last_used_at IS NULL OR api_keys.last_used_at < v.used)`,
        [entries.map(([id]) => id), entries.map(([, at]) => at)],
      );
    } catch (error) {
      this.logger.warn(`could not record key usage: ${(error as Error).message}`);
    }
  }
}
