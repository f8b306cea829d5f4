import type { ContentRule } from './file-categories.js';
import { PARSE_LIMIT_BYTES } from './file-categories.js';
import { checkConfigTextOffThread } from '../agent-definition/config-check-pool.js';
import type { ValidationIssue } from './validation-issue.js';
import {
  isDocxArchive,
  locateCentralDirectory,
  MAX_CENTRAL_DIRECTORY_BYTES,
  ZIP_TAIL_BYTES,
  zipEntryNames,
} from './zip-directory.js';

/** Reads bytes `start..end` (inclusive) of the stored file. */
export type ByteReader = (start: number, end: number) => Promise<Buffer>;

/** Is this zip a Word document? Reads only the tail and the central directory. */
export async function checkDocxStructure(
  read: ByteReader,
  size: number,
): Promise<ValidationIssue | undefined> {
  const tail = await read(Math.max(0, size - ZIP_TAIL_BYTES), size - 1);
  const location = locateCentralDirectory(tail, size);
  if (!location)
    return { message: 'The content is not a complete ZIP archive, so not a .docx document' };
  if (location.size > MAX_CENTRAL_DIRECTORY_BYTES) {
    return { message: 'The archive directory is too large for a .docx document' };
  }
  const names = zipEntryNames(await read(location.offset, location.offset + location.size - 1));
  if (!names) return { message: 'The ZIP archive directory is malformed' };
  if (!isDocxArchive(names)) {
    return {
      message: 'The archive is not a Word document (no [Content_Types].xml and word/ entries)',
    };
  }
  return undefined;
}

/**
 * The checks that need the whole stored file, run once it is written: the
 * structure of containers, and whether JSON or YAML parses (up to 10 MiB).
 */
export async function checkStoredContent(
  read: ByteReader,
  size: number,
  rule: ContentRule,
): Promise<ValidationIssue[]> {
  if (rule.container === 'docx') {
    const problem = await checkDocxStructure(read, size);
    return problem ? [problem] : [];
  }
  if (rule.parse && size <= PARSE_LIMIT_BYTES) {
    const text = (await read(0, size - 1)).toString('utf8');
    return (await checkConfigTextOffThread({ text, format: rule.parse, schema: 'syntax' })).errors;
  }
  return [];
}
