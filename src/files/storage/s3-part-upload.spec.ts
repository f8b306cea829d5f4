import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { PART_SIZE, PartUpload } from './s3-part-upload.js';

type Sent = { name: string; input: Record<string, unknown> };

/** A client that records what it is asked to send; `failPart` makes that part's upload fail. */
function recordingClient(failPart?: number) {
  const sent: Sent[] = [];
  const bodies = new Set<ArrayBufferLike>();
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      sent.push({ name, input: command.input });
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (command instanceof CreateMultipartUploadCommand) return { UploadId: 'up-1' };
      if (command instanceof UploadPartCommand) {
        bodies.add((command.input.Body as Buffer).buffer);
        if (command.input.PartNumber === failPart) throw new Error('bucket went away');
        return { ETag: `etag-${String(command.input.PartNumber)}` };
      }
      return {};
    },
  } as unknown as S3Client;
  return { client, sent, bodies };
}

async function* chunks(total: number, size = 64 * 1024): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < total; sent += size)
    yield Buffer.alloc(Math.min(size, total - sent), 1);
}

const target = { Bucket: 'files', Key: 'data_files/x' };

describe('PartUpload', () => {
  it('sends a small object as one PutObject', async () => {
    const { client, sent } = recordingClient();
    await new PartUpload(client, target).run(chunks(1000));
    expect(sent.map((s) => s.name)).toEqual([PutObjectCommand.name]);
    expect((sent[0].input.Body as Buffer).length).toBe(1000);
  });

  it('sends a large object in numbered parts, reusing a bounded set of buffers', async () => {
    const { client, sent, bodies } = recordingClient();
    const upload = new PartUpload(client, target);
    await upload.run(chunks(12 * PART_SIZE + 17));
    const parts = sent.filter((s) => s.name === UploadPartCommand.name);
    expect(parts.map((p) => p.input.PartNumber)).toEqual([...Array(13).keys()].map((n) => n + 1));
    expect(parts.slice(0, 12).every((p) => (p.input.Body as Buffer).length === PART_SIZE)).toBe(
      true,
    );
    expect((parts[12].input.Body as Buffer).length).toBe(17);
    expect(bodies.size).toBeLessThanOrEqual(3);
    const complete = sent.at(-1)!;
    expect(complete.name).toBe(CompleteMultipartUploadCommand.name);
    expect(complete.input.MultipartUpload).toEqual({
      Parts: [...Array(13).keys()].map((n) => ({ PartNumber: n + 1, ETag: `etag-${n + 1}` })),
    });
    expect(upload.uploadId).toBe('up-1');
  });

  it('fails when a part fails, never completing, with the upload id left for the abort', async () => {
    const { client, sent } = recordingClient(2);
    const upload = new PartUpload(client, target);
    await expect(upload.run(chunks(8 * PART_SIZE))).rejects.toThrow('bucket went away');
    expect(sent.some((s) => s.name === CompleteMultipartUploadCommand.name)).toBe(false);
    expect(upload.uploadId).toBe('up-1');
  });

  it('fails with the source error when the source fails mid-way', async () => {
    const { client } = recordingClient();
    async function* broken(): AsyncGenerator<Buffer> {
      yield* chunks(6 * PART_SIZE);
      throw new Error('request cut');
    }
    await expect(new PartUpload(client, target).run(broken())).rejects.toThrow('request cut');
  });
});
