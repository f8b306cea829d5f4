import type { EventEnvelope } from '../event.entity.js';
import type { AckError } from '../ws-ack.js';

/** A server frame of `/ws/v2` (CONTRACT §4, plain WebSocket). */
export interface ServerFrame {
  type: string;
  room: string | null;
  rooms: string[];
  data: unknown;
  timestamp: string;
  /** The event id of an event (or replayed event); null for other frames. */
  message_id: string | null;
  correlation_id: string | null;
}

/** The client frame types of `/ws/v2`. */
export const WS_V2_CLIENT_TYPES = [
  'auth',
  'join_room',
  'leave_room',
  'room_message',
  'replay',
  'ping',
] as const;
export type WsV2ClientType = (typeof WS_V2_CLIENT_TYPES)[number];

/** Close codes of the plain WebSocket endpoints. */
export const CLOSE = {
  goingAway: 1001,
  tooLarge: 1009,
  tryAgainLater: 1013,
  unauthenticated: 4401,
  refused: 4403,
  rateLimited: 4429,
} as const;

const now = () => new Date().toISOString();

/** A live event in its frame: `type` the /v2 event name, `message_id` its id. */
export function eventFrame(event: EventEnvelope, rooms: Set<string>): ServerFrame {
  return {
    type: event.type,
    room: event.rooms.find((room) => rooms.has(room)) ?? null,
    rooms: event.rooms,
    data: event.data,
    timestamp: event.timestamp,
    message_id: event.id,
    correlation_id: null,
  };
}

/** A missed event: `event_history` carrying the original envelope unchanged, as on /v2. */
export function historyFrame(
  event: EventEnvelope,
  rooms: Set<string>,
  correlationId: string | null,
): ServerFrame {
  return {
    type: 'event_history',
    room: event.rooms.find((room) => rooms.has(room)) ?? null,
    rooms: event.rooms,
    data: event,
    timestamp: now(),
    message_id: event.id,
    correlation_id: correlationId,
  };
}

/** A frame that is not an event: welcome, notices, `replay_truncated`. */
export function noticeFrame(
  type: string,
  data: unknown,
  correlationId: string | null = null,
): ServerFrame {
  return {
    type,
    room: null,
    rooms: [],
    data,
    timestamp: now(),
    message_id: null,
    correlation_id: correlationId,
  };
}

/** The answer to a client frame: `{type: "ack", ok: true, ...}` or `{type: "error", ok: false, error}`. */
export function replyFrame(
  replyTo: string | null,
  correlationId: string | null,
  outcome: ({ ok: true } & object) | AckError,
): Record<string, unknown> {
  return {
    type: outcome.ok ? 'ack' : 'error',
    reply_to: replyTo,
    correlation_id: correlationId,
    timestamp: now(),
    ...outcome,
  };
}
