import type { Principal } from '../auth/principal.js';
import { AppError } from '../common/errors/app-errors.js';

/** The longest room name: `room:` and 64 characters, or an entity room, fit well within. */
export const MAX_ROOM_LENGTH = 100;

/** The rooms of whole collections, which anyone authenticated may watch. */
export const COLLECTIONS: readonly string[] = [
  'agents',
  'tasks',
  'workflows',
  'jobs',
  'files',
  'metrics',
  'system',
];
/** The kinds of entity rooms, `<kind>:<uuid>`. */
export const ENTITY_KINDS: readonly string[] = ['agent', 'task', 'workflow', 'run', 'job', 'user'];
const COLLECTION_ROOMS = new Set(COLLECTIONS);
/** What agent-bound keys may watch: the resources they may read. */
const AGENT_READABLE = new Set(['agents', 'tasks', 'workflows']);
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ENTITY_ROOM = new RegExp(`^(${ENTITY_KINDS.join('|')}):(${UUID})$`, 'i');
const FREE_ROOM = /^room:[a-z0-9_-]{1,64}$/;

export type RoomCheck = { ok: true } | { ok: false; status: 400 | 403; reason: string };

/** CONTRACT §4: the rooms that exist, and who may join each. */
export function checkRoom(principal: Principal, room: unknown): RoomCheck {
  if (typeof room !== 'string' || room.length > MAX_ROOM_LENGTH)
    return {
      ok: false,
      status: 400,
      reason: `room must be a string of at most ${MAX_ROOM_LENGTH} characters`,
    };
  const isAgent = principal.role === 'agent';
  if (COLLECTION_ROOMS.has(room)) {
    return isAgent && !AGENT_READABLE.has(room)
      ? { ok: false, status: 403, reason: `agent keys may not join ${room}` }
      : { ok: true };
  }
  if (room === 'admin') {
    return principal.role === 'admin'
      ? { ok: true }
      : { ok: false, status: 403, reason: 'only admins may join admin' };
  }
  if (FREE_ROOM.test(room)) {
    return isAgent
      ? { ok: false, status: 403, reason: 'agent keys may not join free rooms' }
      : { ok: true };
  }
  const entity = ENTITY_ROOM.exec(room);
  if (!entity) {
    return {
      ok: false,
      status: 400,
      reason: `unknown room "${room}" (free rooms are room:<a-z0-9_->, 1-64 characters)`,
    };
  }
  const [, kind, id] = entity;
  switch (kind) {
    case 'agent':
      return principal.role === 'admin' || (isAgent && principal.agentId === id.toLowerCase())
        ? { ok: true }
        : { ok: false, status: 403, reason: 'only that agent and admins may join an agent room' };
    case 'user':
      return principal.kind === 'user' && principal.id === id.toLowerCase()
        ? { ok: true }
        : { ok: false, status: 403, reason: 'only that user may join a user room' };
    case 'job':
      return isAgent
        ? { ok: false, status: 403, reason: 'agent keys may not watch jobs' }
        : { ok: true };
    default:
      return { ok: true };
  }
}

/** Rooms a principal may read, as exact names and name prefixes (for SQL); null: every room. */
export interface ReadableRooms {
  exact: string[];
  prefixes: string[];
}

/** The history counterpart of `checkRoom`: the rooms whose events a principal may read. */
export function readableRooms(principal: Principal): ReadableRooms | null {
  if (principal.role === 'admin') return null;
  if (principal.role === 'agent') {
    return {
      exact: [...AGENT_READABLE, ...(principal.agentId ? [`agent:${principal.agentId}`] : [])],
      prefixes: ['task:', 'workflow:', 'run:'],
    };
  }
  return {
    exact: [...COLLECTION_ROOMS, ...(principal.kind === 'user' ? [`user:${principal.id}`] : [])],
    prefixes: ['task:', 'workflow:', 'run:', 'job:', 'room:'],
  };
}

/** Throws the room check's refusal as an HTTP error. */
export function assertRoomAllowed(principal: Principal, room: string): void {
  const check = checkRoom(principal, room);
  if (!check.ok) throw new AppError(check.status, check.reason);
}
