import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Env } from './app.js';
import { randomSuffix } from './env.js';

/** s3rver's built-in account: it checks signatures against these. */
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';

/**
 * A real S3-protocol server (the `s3rver` package) in its own process, on a free
 * loopback port, with its data in a temporary directory removed by `stop`.
 */
export class TestS3Server {
  readonly client: S3Client;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly directory: string,
    readonly endpoint: string,
  ) {
    this.client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  static async start(): Promise<TestS3Server> {
    const directory = await mkdtemp(join(tmpdir(), 'subforge-s3rver-'));
    const proc = spawn(
      process.execPath,
      [resolve('node_modules/s3rver/bin/s3rver.js'), '-d', directory, '-a', '127.0.0.1', '-p', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`s3rver did not start:\n${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on [\d.]+:(\d+)/.exec(output);
        if (!match) return;
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        // Its request log is not read; keep the pipe drained.
        proc.stdout.resume();
        resolvePort(Number(match[1]));
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      proc.once('exit', (code) => reject(new Error(`s3rver exited with ${code}:\n${output}`)));
    });
    return new TestS3Server(proc, directory, `http://127.0.0.1:${port}`);
  }

  /** A new empty bucket with a random name. */
  async createBucket(): Promise<string> {
    const bucket = `subforge-${randomSuffix()}`;
    await this.client.send(new CreateBucketCommand({ Bucket: bucket }));
    return bucket;
  }

  /** The service's variables for FILE_STORE=s3 on this server (endpoint overridable, e.g. a proxy). */
  env(bucket: string, prefix = '', endpoint = this.endpoint): Env {
    return {
      FILE_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: SECRET_KEY,
      S3_FORCE_PATH_STYLE: 'true',
      S3_PREFIX: prefix,
    };
  }

  /** Every key in the bucket under `prefix`, without it, sorted. */
  async keys(bucket: string, prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) keys.push(object.Key!.slice(prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async put(bucket: string, key: string, body: string | Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  async get(bucket: string, key: string): Promise<Buffer> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  async stop(): Promise<void> {
    this.client.destroy();
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((resolveExit) => this.proc.once('exit', resolveExit));
      this.proc.kill();
      await exited;
    }
    await rm(this.directory, { recursive: true, force: true });
  }
}
