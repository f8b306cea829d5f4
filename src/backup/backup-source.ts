import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../config/config.js';
import { createS3Client, parseS3Url, s3Status } from '../files/storage/s3-client.js';
import { RestoreError } from './restore.js';

/**
 * Opens a backup for the restore CLI: a local path, or `s3://<bucket>/<key>` read
 * with the S3_* variables (endpoint, region, credentials) whatever FILE_STORE says.
 */
export async function openBackup(
  location: string,
  env: Record<string, string | undefined> = process.env,
): Promise<Readable> {
  const object = parseS3Url(location);
  if (!object) {
    const path = resolve(location);
    await stat(path).catch((error: Error) => {
      throw new RestoreError(`cannot read ${path}: ${error.message}`);
    });
    return createReadStream(path);
  }
  const config = loadConfig({ ...env, FILE_STORE: 's3', S3_BUCKET: object.bucket }).s3!;
  const client = createS3Client(config);
  try {
    const { Body } = await client.send(
      new GetObjectCommand({ Bucket: object.bucket, Key: object.key }),
    );
    const body = Body as Readable;
    body.once('close', () => client.destroy());
    return body;
  } catch (error) {
    client.destroy();
    const reason = s3Status(error) === 404 ? 'no such object' : (error as Error).name;
    throw new RestoreError(`cannot read ${location}: ${reason}`);
  }
}
