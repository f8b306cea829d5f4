import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { PNG_1X1 } from '../../test/support/file-fixtures.js';
import { ContentInspector } from './content-inspector.js';
import { CONTENT_RULES } from './file-categories.js';

async function inspect(extension: string, chunks: Buffer[], maxBytes = 1024): Promise<number> {
  let seen = 0;
  await pipeline(
    Readable.from(chunks),
    new ContentInspector({
      field: 'files.0',
      name: `f${extension}`,
      rule: CONTENT_RULES[extension],
      maxBytes,
    }),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        seen += chunk.length;
        callback();
      },
    }),
  );
  return seen;
}

describe('ContentInspector', () => {
  it('passes matching content through unchanged', async () => {
    expect(await inspect('.png', [PNG_1X1.subarray(0, 3), PNG_1X1.subarray(3)])).toBe(
      PNG_1X1.length,
    );
    expect(await inspect('.csv', [Buffer.from('a,b\n1,2\n')])).toBe(8);
  });

  it('refuses one byte over the limit with a 413, but not the limit itself', async () => {
    expect(await inspect('.txt', [Buffer.alloc(10, 0x61)], 10)).toBe(10);
    await expect(
      inspect('.txt', [Buffer.alloc(6, 0x61), Buffer.alloc(5, 0x61)], 10),
    ).rejects.toMatchObject({
      statusCode: 413,
      details: [{ field: 'files.0' }],
    });
  });

  it('refuses a signature that does not match the extension with a 415', async () => {
    await expect(inspect('.pdf', [PNG_1X1])).rejects.toMatchObject({
      statusCode: 415,
      message: expect.stringMatching(/a PNG file, not the PDF/),
    });
    await expect(inspect('.png', [Buffer.from('tiny')])).rejects.toMatchObject({ statusCode: 415 });
  });

  it('refuses text that is not UTF-8, with its line', async () => {
    await expect(inspect('.txt', [Buffer.from('ok\n'), Buffer.from([0xff])])).rejects.toMatchObject(
      {
        statusCode: 415,
        message: expect.stringMatching(/line 2/),
      },
    );
    await expect(inspect('.csv', [PNG_1X1])).rejects.toMatchObject({ statusCode: 415 });
  });
});
