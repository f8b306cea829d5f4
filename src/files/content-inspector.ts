import { Transform, type TransformCallback } from 'node:stream';
import type { ContentRule } from './file-categories.js';
import { sniffMagic, SNIFF_BYTES } from './magic-bytes.js';
import { UploadTooLargeError, FileTypeRefusedError } from './upload-errors.js';
import { Utf8Validator } from './utf8-validator.js';

export interface InspectedFile {
  /** `files.<n>`: where the file sat in the request, for error details. */
  field: string;
  /** The display name, for messages. */
  name: string;
  rule: ContentRule;
  maxBytes: number;
}

/**
 * Sits between the upload and the store and refuses a file as soon as it can
 * tell: past the size limit (413), a binary signature that does not match the
 * extension, or text that is not UTF-8 (415). Bytes pass through unchanged.
 */
export class ContentInspector extends Transform {
  private bytes = 0;
  private head: Buffer = Buffer.alloc(0);
  private signatureChecked = false;
  private readonly utf8?: Utf8Validator;

  constructor(private readonly file: InspectedFile) {
    super();
    if (file.rule.text) this.utf8 = new Utf8Validator();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.file.maxBytes) {
      callback(
        new UploadTooLargeError(
          this.file.field,
          `"${this.file.name}" is larger than the limit of ${this.file.maxBytes} bytes`,
        ),
      );
      return;
    }
    if (this.file.rule.magic && !this.signatureChecked) {
      if (this.head.length < SNIFF_BYTES) {
        this.head = Buffer.concat([this.head, chunk.subarray(0, SNIFF_BYTES - this.head.length)]);
      }
      if (this.head.length >= SNIFF_BYTES) {
        const refused = this.checkSignature();
        if (refused) return callback(refused);
      }
    }
    const problem = this.utf8?.push(chunk);
    if (problem) return callback(this.refuse(problem.message));
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const refused =
      this.file.rule.magic && !this.signatureChecked ? this.checkSignature() : undefined;
    if (refused) return callback(refused);
    const problem = this.utf8?.end();
    callback(problem ? this.refuse(problem.message) : null);
  }

  private checkSignature(): FileTypeRefusedError | undefined {
    this.signatureChecked = true;
    const found = sniffMagic(this.head);
    if (found === this.file.rule.magic) return undefined;
    return this.refuse(
      `The content is ${found ? `a ${found.toUpperCase()} file` : 'not recognised'}, not the ${this.file.rule.magic!.toUpperCase()} its extension promises`,
    );
  }

  private refuse(reason: string): FileTypeRefusedError {
    return new FileTypeRefusedError(this.file.field, `"${this.file.name}": ${reason}`);
  }
}
