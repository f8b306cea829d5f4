import WebSocket from 'ws';
import { checkSocketEvent } from './contract/asyncapi-contract.js';

export type Frame = Record<string, any>;

/**
 * A plain WebSocket client (`ws`) of `/ws/v2` or `/ws` with a log of every frame it
 * received; each frame is checked against the AsyncAPI document's channel of its path.
 */
export class TestWs {
  readonly frames: Frame[] = [];
  closeCode?: number;
  closeReason?: string;
  readonly closed: Promise<number>;
  private waiters: { match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];
  private sequence = 0;

  constructor(
    readonly ws: WebSocket,
    readonly channel: '/ws/v2' | '/ws',
  ) {
    ws.on('message', (raw) => {
      const frame = JSON.parse((raw as Buffer).toString()) as Frame;
      checkSocketEvent(channel, String(frame.type), frame);
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolveClose) =>
      ws.once('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolveClose(code);
      }),
    );
  }

  /** Frames of one type received so far. */
  of(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  /** The first (already received or future) frame matching. */
  waitFor(
    type: string | string[],
    predicate: (frame: Frame) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<Frame> {
    const types = Array.isArray(type) ? type : [type];
    const match = (frame: Frame) => types.includes(frame.type) && predicate(frame);
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolveWait, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${types.join('/')} frame within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolveWait(frame);
        },
      });
    });
  }

  /** Sends raw text. */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Sends a frame with a fresh correlation id and resolves with its ack or error frame. */
  request(type: string, fields: Frame = {}): Promise<Frame> {
    const correlationId = `c${++this.sequence}`;
    this.ws.send(JSON.stringify({ type, ...fields, correlation_id: correlationId }));
    return this.waitFor(['ack', 'error'], (frame) => frame.correlation_id === correlationId);
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens a plain WebSocket; `query` goes on the URL (token, rooms, last_event_id). */
export async function connectWs(
  url: string,
  channel: '/ws/v2' | '/ws',
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<TestWs> {
  const target = new URL(url.replace(/^http/, 'ws') + channel);
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  const ws = new WebSocket(target, { headers });
  const client = new TestWs(ws, channel);
  await new Promise<void>((resolveOpen, reject) => {
    ws.once('open', () => resolveOpen());
    ws.once('error', reject);
  });
  return client;
}
