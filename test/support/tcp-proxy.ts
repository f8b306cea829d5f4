import { createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy a test can cut and restore, to make PostgreSQL or Redis unreachable for
 * one app without touching the shared server.
 * - `reset`: open connections are reset and new ones refused at once (a crashed server);
 * - `blackhole`: connections stay open but nothing passes (a dead network path).
 */
export type CutMode = 'reset' | 'blackhole';

export class TcpProxy {
  /** Client socket → its upstream connection and the handler that tears both down. */
  private readonly pairs = new Map<Socket, { upstream: Socket; forget: () => void }>();
  private readonly held = new Set<Socket>();
  private mode: CutMode | null = null;

  private readonly server: Server;
  private listeningPort = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  /** Listens on a free loopback port and forwards to targetHost:targetPort. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolveListen) => proxy.server.listen(0, '127.0.0.1', resolveListen));
    const address = proxy.server.address();
    proxy.listeningPort = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** The same URL with its host and port replaced by the proxy's. */
  url(original: string): string {
    const url = new URL(original);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  cut(mode: CutMode = 'reset'): void {
    this.mode = mode;
    for (const [client, { upstream, forget }] of this.pairs) {
      client.off('close', forget);
      upstream.off('close', forget);
      client.unpipe(upstream);
      upstream.unpipe(client);
      upstream.destroy();
      if (mode === 'reset') {
        client.resetAndDestroy();
      } else {
        // Swallow whatever the app sends; it never gets an answer.
        client.on('data', () => undefined);
        this.held.add(client);
      }
    }
    this.pairs.clear();
  }

  /** Lets traffic through again; connections held by a blackhole are reset (as a timed-out path would be). */
  restore(): void {
    this.mode = null;
    for (const socket of this.held) socket.resetAndDestroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.cut('reset');
    await new Promise<void>((resolveClose) => this.server.close(() => resolveClose()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (this.mode === 'blackhole') {
      this.held.add(client);
      client.on('data', () => undefined);
      return;
    }
    const upstream = new Socket();
    upstream.on('error', () => undefined);
    const forget = () => {
      this.pairs.delete(client);
      client.destroy();
      upstream.destroy();
    };
    this.pairs.set(client, { upstream, forget });
    client.once('close', forget);
    upstream.once('close', forget);
    upstream.connect(this.targetPort, this.targetHost, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}
