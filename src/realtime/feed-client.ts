/** Who is sent the paced feed of namespace /: a Socket.IO socket or a plain `/ws` connection. */
export interface FeedClient {
  readonly id: string;
  emit(event: string, payload: unknown): unknown;
}

/**
 * Where `/ws` connections get the dashboard's feed. The dashboard module registers it
 * (`PlainWsServer.useFeed`), so realtime needs nothing from dashboard.
 */
export interface FeedRegistry {
  open(client: FeedClient): void;
  close(id: string): void;
}
