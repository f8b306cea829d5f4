/** A failure to start that the operator can fix; printed without a stack trace. */
export class StartupError extends Error {}

export interface ServiceLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** A backing service the process uses, and how to let go of it at shutdown. */
export interface ResolvedService {
  url: string;
  /** `configured`: from the environment; `local`: the machine's server; `embedded`: started by this process; `embedded-shared`: started by another process of this checkout. */
  source: 'configured' | 'local' | 'embedded' | 'embedded-shared';
  stop(): Promise<void>;
}

/** `postgres://user:***@host:port/db`: safe to log. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}
