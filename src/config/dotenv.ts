import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

export interface DotEnvResult {
  file: string;
  /** The variables it set (those the process environment left unset). */
  applied: string[];
}

/**
 * CONTRACT §1: a `.env` file in the working directory is read at start. The process
 * environment wins, an empty value means unset, and it is not read under NODE_ENV=test (so
 * tests cannot pick up a developer's settings). Sets what it reads in `env`.
 */
export function loadDotEnv(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): DotEnvResult | null {
  if (env.NODE_ENV?.trim() === 'test') return null;
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return null;
  const applied: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (env[name] !== undefined && env[name].trim() !== '') continue;
    if (value === undefined || value.trim() === '') continue;
    env[name] = value;
    applied.push(name);
  }
  return { file, applied };
}
