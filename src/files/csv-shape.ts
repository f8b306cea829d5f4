import type { ValidationIssue } from './validation-issue.js';

/** At most this many inconsistent rows are reported. */
const MAX_REPORTED = 10;

/**
 * Streams CSV bytes and reports records whose field count differs from the
 * header's (RFC 4180 quoting: commas and line breaks inside quotes do not count).
 * Works on bytes: the ASCII delimiters never occur inside UTF-8 sequences.
 */
export class CsvShapeChecker {
  private line = 1;
  private recordLine = 1;
  private fields = 1;
  private inQuotes = false;
  private recordHasData = false;
  private expected?: number;
  private records = 0;
  private inconsistent = 0;
  readonly warnings: ValidationIssue[] = [];

  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      if (byte === 0x22) {
        this.inQuotes = !this.inQuotes;
        this.recordHasData = true;
      } else if (byte === 0x0a) {
        this.line++;
        if (!this.inQuotes) this.endRecord();
      } else if (!this.inQuotes && byte === 0x2c) {
        this.fields++;
        this.recordHasData = true;
      } else if (byte !== 0x0d) {
        this.recordHasData = true;
      }
    }
  }

  /** Finishes the last record; returns the warnings, including a summary when some were left out. */
  end(): ValidationIssue[] {
    if (this.inQuotes) {
      this.warnings.push({
        message: 'A quoted field is not closed before the end of the file',
        line: this.recordLine,
      });
    } else {
      this.endRecord();
    }
    if (this.inconsistent > MAX_REPORTED) {
      this.warnings.push({
        message: `${this.inconsistent - MAX_REPORTED} more rows have a different number of fields`,
      });
    }
    return this.warnings;
  }

  private endRecord(): void {
    if (this.recordHasData) {
      this.records++;
      if (this.expected === undefined) this.expected = this.fields;
      else if (this.fields !== this.expected && ++this.inconsistent <= MAX_REPORTED) {
        this.warnings.push({
          message: `Row has ${this.fields} fields; the header has ${this.expected}`,
          line: this.recordLine,
        });
      }
    }
    this.fields = 1;
    this.recordHasData = false;
    this.recordLine = this.line;
  }
}
