import { spawn, ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type Env = Record<string, string | undefined>;

export interface Service {
  proc: ChildProcess;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '../../..');

export function distPath(relative: string): string {
  return resolve(ROOT, 'dist', relative);
}

/** Starts a compiled entry point and waits for its start-up line. */
export function startProcess(
  script: string,
  env: Env,
  waitFor = /listening on (http:\/\/[^\s"]+)|processing jobs/,
  args: string[] = [],
  nodeFlags: string[] = [],
): Promise<Service> {
  // BENCH_CPU_PROF_DIR=<dir>: every service process writes a V8 CPU profile there on exit.
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
    : [];
  const proc = spawn(process.execPath, [...profile, ...nodeFlags, script, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  proc.stdout.on('data', collect);
  proc.stderr.on('data', collect);
  // BENCH_SERVICE_LOG_DIR=<dir>: every service process's output is kept there, as <pid>.log.
  if (process.env.BENCH_SERVICE_LOG_DIR) {
    mkdirSync(process.env.BENCH_SERVICE_LOG_DIR, { recursive: true });
    const log = createWriteStream(`${process.env.BENCH_SERVICE_LOG_DIR}/${proc.pid}.log`);
    proc.stdout.pipe(log);
    proc.stderr.pipe(log);
  }
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start:\n${output}`)),
      90_000,
    );
    const check = () => {
      const match = waitFor.exec(output);
      if (!match) return;
      clearTimeout(timer);
      proc.stdout.off('data', check);
      // Access lines at info level are not read: stdout keeps flowing into nothing.
      proc.stdout.off('data', collect);
      resolveStart({
        proc,
        pid: proc.pid!,
        url: match[1] ?? '',
        stop: () =>
          new Promise((resolveStop) => {
            if (proc.exitCode !== null) return resolveStop();
            proc.once('exit', () => resolveStop());
            proc.kill('SIGTERM');
            setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
          }),
      });
    };
    proc.stdout.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
  });
}

/**
 * A client's arguments as one command-line argument: the JSON itself, or `@<file>` holding
 * it when large (Linux refuses an argument over 128 KiB: thousands of agent keys).
 */
export function argOf(args: unknown): string {
  const json = JSON.stringify(args);
  if (json.length < 100_000) return json;
  const file = join(mkdtempSync(join(tmpdir(), 'bench-args-')), 'args.json');
  writeFileSync(file, json);
  return `@${file}`;
}

/** In a client: the arguments `argOf` passed. */
export function clientArgs<T>(): T {
  const arg = process.argv[2];
  return JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg) as T;
}

/** Runs a client script (a separate process) and parses the JSON it prints last. */
export function runClient<T>(
  script: string,
  args: Record<string, unknown>,
  timeoutMs = 300_000,
): Promise<T> {
  const proc = spawn(
    process.execPath,
    ['--max-old-space-size=4096', distPath(script), argOf(args)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: ROOT,
    },
  );
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolveRun, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} timed out`));
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      const last = output.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolveRun(JSON.parse(last) as T);
      } catch (error) {
        reject(
          new Error(`${script} failed (${(error as Error).message}):\n${output.slice(-2000)}`),
        );
      }
    });
  });
}

/** Resident memory of a process in bytes (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** A client's last word: its result as one JSON line, then exit once stdout has taken it all (pipes are asynchronous). */
export function printResultAndExit(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
