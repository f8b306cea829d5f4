import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { displayPrefix, generateApiKey, sha256Hex } from './secrets.js';
import { processLogOutput } from '../common/logging/log-output.js';

const BOOTSTRAP_LOCK_KEY = 72_061_002;

/**
 * After start-up an admin credential always exists: ADMIN_API_KEY when set, else,
 * if there is no admin at all, a generated key, shown once in a banner at the end of
 * start-up. Only a process serving HTTP generates one (a worker starting alongside
 * would otherwise win the race and hide the key in its own log).
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');
  /** The key generated at this start, until the banner has shown it. */
  private generated?: string;

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
      if (admins > 0 || this.config.role === 'worker') return undefined;
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
    this.generated = generated;
  }

  /**
   * At the very end of start-up (after the route map and the rest of the start-up
   * log): the generated key in a frame, once; otherwise one line saying how to get one.
   */
  announce(): void {
    const key = this.generated;
    this.generated = undefined;
    if (key) {
      const lines = [
        'No admin credential existed, so this admin API key was generated.',
        'Store it now: it is not shown again.',
        '',
        `  X-API-Key: ${key}`,
        '',
        'Use it in Swagger UI (/docs, Authorize) or as the X-API-Key header.',
      ];
      const width = Math.max(...lines.map((line) => line.length));
      const rule = `+${'-'.repeat(width + 2)}+`;
      // Straight to stdout (after the log lines before it), so that log redaction keeps the key whole.
      processLogOutput.write(
        'stdout',
        `\n${rule}\n${lines.map((line) => `| ${line.padEnd(width)} |`).join('\n')}\n${rule}\n\n`,
      );
      this.logger.warn('Generated the first admin API key (in the frame above, once)');
    } else if (!this.config.adminApiKey) {
      this.logger.log(
        'An admin credential exists. To set or recover an admin API key, start with ADMIN_API_KEY=<16+ characters>',
      );
    }
  }
}
