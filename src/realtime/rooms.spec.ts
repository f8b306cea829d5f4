import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.js';
import { checkRoom } from './rooms.js';

const AGENT_ID = '11111111-1111-4111-8111-111111111111';
const OTHER_ID = '22222222-2222-4222-8222-222222222222';
const principal = (role: Principal['role'], extra: Partial<Principal> = {}): Principal => ({
  kind: 'api_key',
  id: 'k',
  role,
  agentId: null,
  userId: null,
  name: 'n',
  expiresAt: null,
  ...extra,
});

describe('checkRoom', () => {
  it('lets anyone authenticated watch collections and entity rooms', () => {
    for (const room of [
      'agents',
      'tasks',
      'workflows',
      'jobs',
      'files',
      'metrics',
      'system',
      `task:${AGENT_ID}`,
      `run:${AGENT_ID}`,
    ]) {
      expect(checkRoom(principal('viewer'), room)).toEqual({ ok: true });
    }
  });

  it('keeps admin to admins and user rooms to their user', () => {
    expect(checkRoom(principal('viewer'), 'admin')).toMatchObject({ ok: false, status: 403 });
    expect(checkRoom(principal('admin'), 'admin')).toEqual({ ok: true });
    expect(
      checkRoom(principal('viewer', { kind: 'user', id: AGENT_ID }), `user:${AGENT_ID}`),
    ).toEqual({ ok: true });
    expect(
      checkRoom(principal('admin', { kind: 'user', id: OTHER_ID }), `user:${AGENT_ID}`),
    ).toMatchObject({ ok: false, status: 403 });
  });

  it('keeps agent rooms to that agent and admins', () => {
    expect(checkRoom(principal('agent', { agentId: AGENT_ID }), `agent:${AGENT_ID}`)).toEqual({
      ok: true,
    });
    expect(checkRoom(principal('agent', { agentId: AGENT_ID }), `agent:${OTHER_ID}`)).toMatchObject(
      { status: 403 },
    );
    expect(checkRoom(principal('operator'), `agent:${AGENT_ID}`)).toMatchObject({ status: 403 });
    expect(checkRoom(principal('admin'), `agent:${AGENT_ID}`)).toEqual({ ok: true });
    expect(checkRoom(principal('agent', { agentId: AGENT_ID }), 'jobs')).toMatchObject({
      status: 403,
    });
  });

  it('validates free room names and refuses anything else', () => {
    expect(checkRoom(principal('viewer'), 'room:team-a_1')).toEqual({ ok: true });
    for (const bad of [
      'room:bad name!',
      'room:',
      `room:${'x'.repeat(65)}`,
      'lobby',
      'task:not-a-uuid',
      42,
      null,
    ]) {
      expect(checkRoom(principal('viewer'), bad)).toMatchObject({ ok: false, status: 400 });
    }
  });
});
