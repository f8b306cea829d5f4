import { readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Env } from './app.js';
import { TestS3Server } from './s3-server.js';

export type StoreKind = 'local' | 's3';
export const STORE_KINDS: StoreKind[] = ['local', 's3'];

/**
 * What a test sees of the service's file store, from outside the service: the
 * stored keys (`<category>/<uuid>`) and a way to change an object behind its back.
 */
export interface StoreView {
  kind: StoreKind;
  /** Variables selecting this store, for the service under test. */
  env: Env;
  /** Where FileStore.check() says the store is. */
  location: string;
  keys(): Promise<string[]>;
  overwrite(key: string, content: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The store's own health probe: each check (readiness, live metrics) writes one and deletes
 * it at once, so a listing can catch one in between. Not a stored file.
 */
const isProbe = (key: string) => /(?:^|\/)\.health-[0-9a-f-]{36}$/.test(key);
const storedFiles = (keys: string[]) => keys.filter((key) => !isProbe(key));

/** Every file under a directory, relative to it. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (directory: string) => {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(root, path));
    }
  };
  await walk(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  return out.sort();
}

/** Files under UPLOAD_DIR (the test stores' own directory). */
export function localStoreView(uploadDir: string): StoreView {
  return {
    kind: 'local',
    env: { FILE_STORE: 'local', UPLOAD_DIR: uploadDir },
    location: uploadDir,
    keys: async () => storedFiles(await listFiles(uploadDir)),
    overwrite: (key, content) => writeFile(join(uploadDir, key), content),
    close: () => rm(uploadDir, { recursive: true, force: true }),
  };
}

/** A fresh bucket on its own s3rver process, with a key prefix so that prefixes are exercised too. */
export async function s3StoreView() {
  const server = await TestS3Server.start();
  const bucket = await server.createBucket();
  const prefix = 'subforge/files/';
  const view: StoreView & { server: TestS3Server; bucket: string } = {
    kind: 's3',
    server,
    bucket,
    env: server.env(bucket, prefix),
    location: `s3://${bucket}/${prefix}`,
    keys: async () => storedFiles(await server.keys(bucket, prefix)),
    overwrite: (key, content) => server.put(bucket, prefix + key, content),
    close: () => server.stop(),
  };
  return view;
}

export function openStoreView(kind: StoreKind, uploadDir: string): Promise<StoreView> {
  return kind === 'local' ? Promise.resolve(localStoreView(uploadDir)) : s3StoreView();
}
