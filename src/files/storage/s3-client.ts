import { S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../../config/config.js';

/** Connection set-up bound: a dead endpoint fails a request instead of hanging it. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A socket idle this long (no bytes either way) fails the request. */
const IDLE_TIMEOUT_MS = 30_000;

/**
 * One S3 client for the configured bucket. Checksums only when an operation
 * requires them: S3-compatible servers (MinIO, Ceph RGW, R2, s3rver) do not all
 * accept the SDK's default CRC32 trailers. Used by the store and by the restore CLI.
 */
export function createS3Client(config: S3Config): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials:
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: IDLE_TIMEOUT_MS,
    },
  });
}

/** `s3://<bucket>/<key>` → its parts; undefined for anything else. */
export function parseS3Url(value: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

/** The SDK's HTTP status of a failed call, when it got an answer. */
export function s3Status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
