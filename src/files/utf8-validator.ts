export interface TextProblem {
  message: string;
  /** 1-based line of the offending byte. */
  line: number;
  /** 0-based byte offset. */
  offset: number;
}

/**
 * Checks that a byte stream is well-formed UTF-8 (Unicode Table 3-7: no overlong
 * forms, no surrogates, nothing above U+10FFFF) and holds no NUL byte, chunk by
 * chunk, so that a file of any size is checked in constant memory.
 */
export class Utf8Validator {
  private offset = 0;
  private line = 1;
  private needed = 0;
  private lower = 0x80;
  private upper = 0xbf;
  private sequenceStart = 0;
  private problem?: TextProblem;

  /** Feeds the next chunk; returns the first problem once there is one. */
  push(chunk: Uint8Array): TextProblem | undefined {
    if (this.problem) return this.problem;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      const position = this.offset + i;
      if (this.needed === 0) {
        if (byte < 0x80) {
          if (byte === 0x0a) this.line++;
          else if (byte === 0) return this.fail('contains a NUL byte (binary content)', position);
          continue;
        }
        this.sequenceStart = position;
        if (byte >= 0xc2 && byte <= 0xdf) this.expect(1, 0x80, 0xbf);
        else if (byte === 0xe0) this.expect(2, 0xa0, 0xbf);
        else if ((byte >= 0xe1 && byte <= 0xec) || byte === 0xee || byte === 0xef)
          this.expect(2, 0x80, 0xbf);
        else if (byte === 0xed) this.expect(2, 0x80, 0x9f);
        else if (byte === 0xf0) this.expect(3, 0x90, 0xbf);
        else if (byte >= 0xf1 && byte <= 0xf3) this.expect(3, 0x80, 0xbf);
        else if (byte === 0xf4) this.expect(3, 0x80, 0x8f);
        else return this.fail('is not valid UTF-8', position);
      } else {
        if (byte < this.lower || byte > this.upper)
          return this.fail('is not valid UTF-8', this.sequenceStart);
        this.needed--;
        this.lower = 0x80;
        this.upper = 0xbf;
      }
    }
    this.offset += chunk.length;
    return undefined;
  }

  /** Call after the last chunk: a sequence cut off at the end is a problem too. */
  end(): TextProblem | undefined {
    if (this.problem) return this.problem;
    if (this.needed > 0)
      return this.fail('is not valid UTF-8 (truncated at the end)', this.sequenceStart);
    return undefined;
  }

  private expect(needed: number, lower: number, upper: number): void {
    this.needed = needed;
    this.lower = lower;
    this.upper = upper;
  }

  private fail(reason: string, offset: number): TextProblem {
    this.problem = {
      message: `The content ${reason} at byte ${offset} (line ${this.line})`,
      line: this.line,
      offset,
    };
    return this.problem;
  }
}

/** Validates a whole buffer at once. */
export function checkUtf8(content: Uint8Array): TextProblem | undefined {
  const validator = new Utf8Validator();
  return validator.push(content) ?? validator.end();
}
