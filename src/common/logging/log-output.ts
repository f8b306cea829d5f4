/** Where log lines go: `write` is what `process.stdout` / `process.stderr` offer. */
export interface LogStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Log lines for stdout are gathered and written once per turn of the event loop: one
 * write (a system call on a pipe or file) for all the access lines of a busy moment
 * instead of one each. stderr (errors, fatal) is written at once, after what stdout
 * had pending, so the order of lines is kept; whatever is pending is written when the
 * process exits.
 */
export class LogOutput {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly streams: LogStreams = process) {}

  write(stream: 'stdout' | 'stderr', line: string): void {
    if (stream === 'stderr') {
      this.flush();
      this.streams.stderr.write(line);
      return;
    }
    this.pending.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (!this.pending.length) return;
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.streams.stdout.write(text);
  }
}

/** The process's own output, flushed on exit (process.exit included). */
export const processLogOutput = new LogOutput();
process.once('exit', () => processLogOutput.flush());
