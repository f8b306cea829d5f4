import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { displayPrefix, generateApiKey, sha256Hex } from './secrets.js';

const BOOTSTRAP_LOCK_KEY = 72_061_002;

/**
 * After start-up an admin credential always exists: ADMIN_API_KEY when set, else,
 * if there is no admin at all, a generated key printed once to the log.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const generated = await this.dataSource.transaction(async (manager) => {
      // Several instances may start at once: one decides at a time.
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
      if (this.config.adminApiKey) {
        const keyHash = sha256Hex(this.config.adminApiKey);
        const existing = await manager.findOne(ApiKeyEntity, { where: { keyHash } });
        if (!existing) {
          await manager.save(
            manager.create(ApiKeyEntity, {
              name: 'admin (ADMIN_API_KEY)',
              role: 'admin',
              keyHash,
              prefix: displayPrefix(this.config.adminApiKey),
            }),
          );
        } else if (existing.role !== 'admin' || existing.revokedAt || existing.expiresAt) {
          if (existing.revokedAt) {
            // Someone revoked it (a leak?): restoring it silently would undo that at every start.
            this.logger.error(
              `ADMIN_API_KEY (${existing.prefix}…) was revoked on ${existing.revokedAt.toISOString()} ` +
                'and is being restored because it is still configured. If it leaked, set a new ' +
                'ADMIN_API_KEY and restart every instance (SECURITY.md, "Rotating keys and secrets").',
            );
          }
          await manager.update(
            ApiKeyEntity,
            { id: existing.id },
            { role: 'admin', revokedAt: null, expiresAt: null },
          );
        }
        return undefined;
      }
      const admins =
        (await manager.count(UserEntity, { where: { role: 'admin', isActive: true } })) +
        (await manager.count(ApiKeyEntity, { where: { role: 'admin', revokedAt: IsNull() } }));
      if (admins > 0) return undefined;
      const key = generateApiKey();
      await manager.save(
        manager.create(ApiKeyEntity, {
          name: 'admin (generated at first start)',
          role: 'admin',
          keyHash: sha256Hex(key),
          prefix: displayPrefix(key),
        }),
      );
      return key;
    });
    if (generated) {
      // The one time this key is ever shown. Written straight to stdout so that log redaction keeps it whole.
      process.stdout.write(
        `\n  No admin credential existed, so one was generated. Store it now; it is not shown again:\n\n    X-API-Key: ${generated}\n\n`,
      );
      this.logger.warn('Generated the first admin API key (printed above, once)');
    }
  }
}
