import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig, S3Config } from '../../config/config.js';
import { InjectConfig } from '../../config/config.module.js';
import {
  checkKey,
  checkNamespace,
  Digest,
  FileStore,
  FileStoreHealth,
  FileStoreUnavailableError,
  MissingObjectError,
  ReadRange,
  StoredObject,
  StoredObjectStat,
} from './file-store.js';
import { createS3Client, s3Status } from './s3-client.js';
import { PartUpload } from './s3-part-upload.js';

/** What went wrong, in a line fit for a log or a 503 (never a credential). */
function describe(error: unknown): string {
  const status = s3Status(error);
  const name = (error as Error).name;
  return status ? `${name} (HTTP ${status})` : `${name}: ${(error as Error).message}`;
}

/**
 * Files as objects in one S3-compatible bucket (AWS, MinIO, Ceph RGW, R2), keyed
 * `<S3_PREFIX><namespace>/<uuid>`. Uploads stream as multipart uploads of at most
 * PARTS_IN_FLIGHT parts at a time, so memory stays flat whatever the file size; an
 * upload that fails (its source refused or cut, or the bucket unreachable) is
 * aborted and its key deleted, so no object is left behind. A multipart upload
 * whose abort also fails is reclaimed by the bucket's lifecycle rule (README).
 */
@Injectable()
export class S3FileStore extends FileStore implements OnModuleDestroy {
  private readonly logger = new Logger('FileStore');
  private readonly s3: S3Config;
  private readonly client: S3Client;

  constructor(@InjectConfig() config: AppConfig) {
    super();
    this.s3 = config.s3!;
    this.client = createS3Client(this.s3);
  }

  onModuleDestroy(): void {
    this.client.destroy();
  }

  /** Namespaces are key prefixes: nothing to create, but the bucket must answer. */
  async init(namespaces: readonly string[]): Promise<void> {
    namespaces.forEach(checkNamespace);
    const { bucket, endpoint } = this.s3;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      const status = s3Status(error);
      const where = `S3 bucket "${bucket}" (S3_BUCKET) at ${endpoint ?? 'AWS'}`;
      if (status === 404) throw new Error(`${where} does not exist: create it, or fix S3_BUCKET`);
      if (status === 403 || status === 401)
        throw new Error(
          `${where} refuses these credentials: check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the bucket policy`,
        );
      if (status === 301)
        throw new Error(`${where} is in another region than S3_REGION=${this.s3.region}`);
      throw new Error(`${where} is not reachable: ${describe(error)}`);
    }
  }

  async write(namespace: string, source: Readable): Promise<StoredObject> {
    const key = `${checkNamespace(namespace)}/${randomUUID()}`;
    const digest = new Digest();
    // Errors reach us through upload.run(); the source's own failure (a size limit, a
    // refused type, a cut request) is the answer when there is one. Piped, not pipelined:
    // the uploader closing the digest early must not read as a failure of the source.
    digest.on('error', () => undefined);
    let sourceFailure: Error | undefined;
    source.once('error', (error) => {
      sourceFailure = error;
      digest.destroy(error);
    });
    source.pipe(digest);
    const upload = new PartUpload(this.client, {
      Bucket: this.s3.bucket,
      Key: this.objectKey(key),
    });
    try {
      await upload.run(digest);
    } catch (error) {
      source.unpipe(digest);
      if (!sourceFailure) source.destroy();
      await this.discard(key, upload.uploadId);
      if (sourceFailure) throw sourceFailure;
      this.logger.warn(`Upload of ${key} failed: ${describe(error)}`);
      throw new FileStoreUnavailableError(describe(error));
    }
    return digest.result(key);
  }

  async read(key: string, range?: ReadRange): Promise<Readable> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: this.s3.bucket,
          Key: this.objectKey(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return object.Body as Readable;
    } catch (error) {
      if (s3Status(error) === 404) throw new MissingObjectError(key);
      throw new FileStoreUnavailableError(describe(error));
    }
  }

  async stat(key: string): Promise<StoredObjectStat | undefined> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.s3.bucket, Key: this.objectKey(key) }),
      );
      return { size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (s3Status(error) === 404) return undefined;
      throw new FileStoreUnavailableError(describe(error));
    }
  }

  async remove(key: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.s3.bucket, Key: this.objectKey(key) }),
      );
    } catch (error) {
      if (s3Status(error) === 404) return;
      throw new FileStoreUnavailableError(describe(error));
    }
  }

  /** The bucket answers and takes a write; buckets have no fixed size, so no free figures. */
  async check(): Promise<FileStoreHealth> {
    const health: FileStoreHealth = {
      status: 'down',
      location: `s3://${this.s3.bucket}/${this.s3.prefix}`,
      writable: false,
      free_bytes: null,
      total_bytes: null,
    };
    const probe = `${this.s3.prefix}.health-${randomUUID()}`;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.s3.bucket }));
      await this.client.send(
        new PutObjectCommand({ Bucket: this.s3.bucket, Key: probe, Body: 'ok' }),
      );
      await this.client.send(new DeleteObjectCommand({ Bucket: this.s3.bucket, Key: probe }));
      health.writable = true;
      health.status = 'up';
    } catch (error) {
      health.message = describe(error);
    }
    return health;
  }

  private objectKey(key: string): string {
    return this.s3.prefix + checkKey(key);
  }

  /** Best effort: what cannot be removed now is logged (and left to the lifecycle rule). */
  private async discard(key: string, uploadId: string | undefined): Promise<void> {
    const Bucket = this.s3.bucket;
    const Key = this.objectKey(key);
    if (uploadId) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
        .catch((error: unknown) =>
          this.logger.warn(
            `Could not abort the multipart upload of ${key}: ${describe(error)}; ` +
              'the bucket lifecycle rule removes its parts',
          ),
        );
    }
    await this.client
      .send(new DeleteObjectCommand({ Bucket, Key }))
      .catch((error: unknown) =>
        this.logger.warn(`Could not delete ${key} after a failed upload: ${describe(error)}`),
      );
  }
}
