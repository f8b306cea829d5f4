import { describe, expect, it } from 'vitest';
import { LogOutput } from './log-output.js';

function capture() {
  const writes: { stream: string; text: string }[] = [];
  return {
    writes,
    streams: {
      stdout: { write: (text: string) => writes.push({ stream: 'stdout', text }) },
      stderr: { write: (text: string) => writes.push({ stream: 'stderr', text }) },
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('log output', () => {
  it('writes the stdout lines of one turn of the event loop together, in order', async () => {
    const { writes, streams } = capture();
    const output = new LogOutput(streams);
    output.write('stdout', 'a\n');
    output.write('stdout', 'b\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual([{ stream: 'stdout', text: 'a\nb\n' }]);
    output.write('stdout', 'c\n');
    await nextTurn();
    expect(writes.at(-1)).toEqual({ stream: 'stdout', text: 'c\n' });
  });

  it('writes an error line at once, after the lines before it', () => {
    const { writes, streams } = capture();
    const output = new LogOutput(streams);
    output.write('stdout', 'before\n');
    output.write('stderr', 'failure\n');
    expect(writes).toEqual([
      { stream: 'stdout', text: 'before\n' },
      { stream: 'stderr', text: 'failure\n' },
    ]);
  });

  it('flush writes what is pending (used on exit)', () => {
    const { writes, streams } = capture();
    const output = new LogOutput(streams);
    output.write('stdout', 'last words\n');
    output.flush();
    output.flush();
    expect(writes).toEqual([{ stream: 'stdout', text: 'last words\n' }]);
  });
});
