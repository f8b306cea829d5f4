import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

/** The smallest part S3 accepts; with PARTS_IN_FLIGHT it bounds the memory one upload holds. */
export const PART_SIZE = 5 * 1024 * 1024;
export const PARTS_IN_FLIGHT = 2;

/**
 * Streams one object into a bucket as a multipart upload, or as one PutObject when it
 * fits in a part. Parts are assembled in PARTS_IN_FLIGHT + 1 buffers allocated once and
 * reused, so a 200 MiB upload allocates 15 MiB of parts rather than 200 MiB of garbage
 * (the SDK's own `Upload` concatenates a new buffer per part, which the collector frees
 * late). `uploadId` is set once the multipart upload exists, so a failed upload can be
 * aborted by its caller.
 */
export class PartUpload {
  uploadId: string | undefined;
  private readonly free: Buffer[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly parts: { PartNumber: number; ETag: string | undefined }[] = [];
  private failure: Error | undefined;
  private sentParts = 0;
  private current: Buffer | undefined;
  private filled = 0;

  constructor(
    private readonly client: S3Client,
    private readonly target: { Bucket: string; Key: string },
  ) {}

  /** Reads `source` to its end; rejects with the source's or the bucket's error. */
  async run(source: AsyncIterable<Buffer>): Promise<void> {
    try {
      await this.send(source);
    } catch (error) {
      // Parts still out finish (or fail) before the caller aborts the upload.
      await Promise.allSettled(this.inFlight);
      throw error;
    }
  }

  private async send(source: AsyncIterable<Buffer>): Promise<void> {
    for await (const chunk of source) {
      let offset = 0;
      while (offset < chunk.length) {
        const part = (this.current ??= this.take());
        const copied = chunk.copy(part, this.filled, offset);
        offset += copied;
        this.filled += copied;
        if (this.filled === PART_SIZE) await this.sendPart();
      }
    }
    if (this.uploadId === undefined) {
      const body = (this.current ?? Buffer.alloc(0)).subarray(0, this.filled);
      await this.client.send(new PutObjectCommand({ ...this.target, Body: body }));
      return;
    }
    if (this.filled > 0) await this.sendPart();
    await this.settle();
    await this.client.send(
      new CompleteMultipartUploadCommand({
        ...this.target,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: this.parts.sort((a, b) => a.PartNumber - b.PartNumber) },
      }),
    );
  }

  private take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(PART_SIZE);
  }

  /** Sends the current buffer as the next part, waiting first while PARTS_IN_FLIGHT are out. */
  private async sendPart(): Promise<void> {
    this.throwIfFailed();
    this.uploadId ??= (
      await this.client.send(new CreateMultipartUploadCommand({ ...this.target }))
    ).UploadId;
    while (this.inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const buffer = this.current!;
    const PartNumber = ++this.sentParts;
    const body = buffer.subarray(0, this.filled);
    this.current = undefined;
    this.filled = 0;
    const sent: Promise<void> = this.client
      .send(
        new UploadPartCommand({ ...this.target, UploadId: this.uploadId, PartNumber, Body: body }),
      )
      .then(
        ({ ETag }) => {
          this.parts.push({ PartNumber, ETag });
          this.free.push(buffer);
        },
        (error: unknown) => {
          this.failure ??= error instanceof Error ? error : new Error(String(error));
        },
      )
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  /** A part that failed fails the upload at the next step. */
  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private async settle(): Promise<void> {
    await Promise.all(this.inFlight);
    this.throwIfFailed();
  }
}
