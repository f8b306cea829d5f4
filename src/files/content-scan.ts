import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CsvShapeChecker } from './csv-shape.js';
import { SNIFF_BYTES } from './magic-bytes.js';
import { Utf8Validator, type TextProblem } from './utf8-validator.js';
import type { ValidationIssue } from './validation-issue.js';

export interface ScanOptions {
  /** Check UTF-8 (text kinds). */
  text: boolean;
  /** Check CSV row shapes. */
  csv: boolean;
  /** Keep the content in memory, up to this many bytes (for parsing). */
  collectUpTo: number;
  signal?: AbortSignal;
}

export interface ScanResult {
  sha256: string;
  size: number;
  head: Buffer;
  utf8Problem?: TextProblem;
  csvWarnings: ValidationIssue[];
  /** The whole content, when it fit in `collectUpTo`. */
  content?: Buffer;
}

/** One pass over stored content: its checksum, first bytes, text checks and, if small, the bytes themselves. */
export async function scanContent(stream: Readable, options: ScanOptions): Promise<ScanResult> {
  const hash = createHash('sha256');
  const utf8 = options.text ? new Utf8Validator() : undefined;
  const csv = options.csv ? new CsvShapeChecker() : undefined;
  const chunks: Buffer[] = [];
  let collecting = options.collectUpTo > 0;
  let head = Buffer.alloc(0);
  let size = 0;
  let utf8Problem: TextProblem | undefined;
  try {
    for await (const chunk of stream) {
      options.signal?.throwIfAborted();
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      if (head.length < SNIFF_BYTES)
        head = Buffer.concat([head, bytes.subarray(0, SNIFF_BYTES - head.length)]);
      utf8Problem ??= utf8?.push(bytes);
      csv?.push(bytes);
      if (collecting) {
        chunks.push(bytes);
        if (size > options.collectUpTo) {
          collecting = false;
          chunks.length = 0;
        }
      }
    }
  } finally {
    stream.destroy();
  }
  utf8Problem ??= utf8?.end();
  return {
    sha256: hash.digest('hex'),
    size,
    head,
    utf8Problem,
    csvWarnings: csv?.end() ?? [],
    content: collecting ? Buffer.concat(chunks) : undefined,
  };
}
