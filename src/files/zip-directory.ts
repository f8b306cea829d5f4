/**
 * Just enough of the ZIP format to see what an archive holds: the end-of-central-
 * directory record at the tail, then the central directory's entry names. Used to
 * tell a real .docx (a zip with `[Content_Types].xml` and `word/`) from any zip.
 */

const EOCD_SIGNATURE = 0x06054b50;
const ENTRY_SIGNATURE = 0x02014b50;
const EOCD_SIZE = 22;
/** The record sits within the last 22 bytes plus the longest archive comment. */
export const ZIP_TAIL_BYTES = EOCD_SIZE + 0xffff;
/** A document's directory is a few KiB; anything beyond this is not one we read. */
export const MAX_CENTRAL_DIRECTORY_BYTES = 4 * 1024 * 1024;

export interface CentralDirectoryLocation {
  offset: number;
  size: number;
  entries: number;
}

/** Where the central directory is, from the last bytes of a file of `fileSize` bytes. */
export function locateCentralDirectory(
  tail: Buffer,
  fileSize: number,
): CentralDirectoryLocation | undefined {
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    if (tail.readUInt32LE(at) !== EOCD_SIGNATURE) continue;
    const commentLength = tail.readUInt16LE(at + 20);
    if (at + EOCD_SIZE + commentLength !== tail.length) continue;
    const entries = tail.readUInt16LE(at + 10);
    const size = tail.readUInt32LE(at + 12);
    const offset = tail.readUInt32LE(at + 16);
    const recordOffset = fileSize - (tail.length - at);
    // 0xffffffff marks ZIP64, which no document of our size limits needs.
    if (offset === 0xffffffff || size === 0xffffffff) return undefined;
    if (offset + size > recordOffset) return undefined;
    return { offset, size, entries };
  }
  return undefined;
}

/** The entry names of a central directory; undefined when it is malformed. */
export function zipEntryNames(directory: Buffer): string[] | undefined {
  const names: string[] = [];
  let at = 0;
  while (at < directory.length) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== ENTRY_SIGNATURE)
      return undefined;
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const end = at + 46 + nameLength;
    if (end > directory.length) return undefined;
    names.push(directory.subarray(at + 46, end).toString('utf8'));
    at = end + extraLength + commentLength;
  }
  return names;
}

/** An Office Open XML word-processing document. */
export function isDocxArchive(names: string[]): boolean {
  return names.includes('[Content_Types].xml') && names.some((name) => name.startsWith('word/'));
}
