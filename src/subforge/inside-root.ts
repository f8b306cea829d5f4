import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';

/**
 * The real path of `path` when it lies inside `root` (after resolving every symlink),
 * else null: a link out of the project (to /etc, a home directory) is never read.
 * Throws what realpath throws (ENOENT for a missing file or a dangling link).
 */
export async function realPathInside(root: string, path: string): Promise<string | null> {
  const [realRoot, real] = await Promise.all([realpath(root), realpath(path)]);
  return real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)
    ? real
    : null;
}
