import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';

/**
 * JWT_SECRET when configured; otherwise a secret generated once and kept in
 * PostgreSQL, shared by every instance, so tokens survive restarts and work everywhere.
 */
export async function loadJwtSecret(config: AppConfig, dataSource: DataSource): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  await dataSource.query(
    `INSERT INTO settings (name, value) VALUES ('jwt_secret', $1) ON CONFLICT (name) DO NOTHING`,
    [randomBytes(48).toString('base64url')],
  );
  const rows: { value: string }[] = await dataSource.query(
    `SELECT value FROM settings WHERE name = 'jwt_secret'`,
  );
  return rows[0].value;
}
