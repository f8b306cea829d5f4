import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** docker/docker-compose.yml, parsed (no Docker engine is needed to check its shape). */
const compose = parse(readFileSync('docker/docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, any>;
  volumes: Record<string, unknown>;
};
const example = readFileSync('.env.example', 'utf8');

/** `${NAME:-default}` / `${NAME-default}` → [NAME, default]. */
function substitution(value: string): [string, string] {
  const match = /^\$\{([A-Z0-9_]+):?-(.*)\}$/.exec(value);
  expect(match, value).not.toBeNull();
  return [match![1], match![2]];
}

describe('docker compose: the optional MinIO of the s3 profile', () => {
  const { api, worker, minio, 'minio-bucket': bucket } = compose.services;

  it('keeps the local store by default and runs MinIO only under the s3 profile', () => {
    for (const service of [api, worker]) {
      expect(service.profiles).toBeUndefined();
      expect(substitution(service.environment.FILE_STORE)).toEqual(['FILE_STORE', 'local']);
      expect(service.volumes).toContain('uploads:/data/uploads');
      expect(service.depends_on['minio-bucket']).toEqual({
        condition: 'service_completed_successfully',
        required: false,
      });
    }
    expect(minio.profiles).toEqual(['s3']);
    expect(bucket.profiles).toEqual(['s3']);
    expect(minio.image).toMatch(/^minio\/minio:RELEASE\./);
    expect(bucket.image).toMatch(/^minio\/mc:RELEASE\./);
    expect(minio.healthcheck.test).toEqual(['CMD', 'mc', 'ready', 'local']);
    expect(bucket.depends_on.minio.condition).toBe('service_healthy');
    expect(Object.keys(compose.volumes)).toContain('miniodata');
  });

  it('points the service at that MinIO with the same credentials and bucket', () => {
    const env = api.environment;
    for (const name of Object.keys(env).filter((key) => key.startsWith('S3_'))) {
      // Every variable the service reads is a documented one.
      expect(example, name).toMatch(new RegExp(`^${name}=`, 'm'));
    }
    expect(substitution(env.S3_ENDPOINT)[1]).toBe('http://minio:9000');
    expect(substitution(env.S3_FORCE_PATH_STYLE)[1]).toBe('true');
    expect(substitution(minio.environment.MINIO_ROOT_USER)).toEqual(
      substitution(env.S3_ACCESS_KEY_ID),
    );
    expect(substitution(minio.environment.MINIO_ROOT_PASSWORD)).toEqual(
      substitution(env.S3_SECRET_ACCESS_KEY),
    );
    expect(substitution(bucket.environment.S3_BUCKET)).toEqual(substitution(env.S3_BUCKET));
    expect(bucket.entrypoint.join(' ')).toMatch(/mc mb --ignore-existing "local\/\$\$S3_BUCKET"/);
  });
});
