import { describe, expect, it } from 'vitest';
import {
  isActiveStatus,
  isAvailable,
  statusAfterCommand,
  statusAfterHeartbeat,
  withWorkload,
} from './agent-status.js';

describe('agent status rules', () => {
  it('is busy at capacity and idle again below it', () => {
    expect(withWorkload('idle', 1, 1)).toBe('busy');
    expect(withWorkload('active', 3, 3)).toBe('busy');
    expect(withWorkload('busy', 0, 1)).toBe('idle');
    expect(withWorkload('busy', 2, 3)).toBe('idle');
    expect(withWorkload('active', 1, 3)).toBe('active');
    expect(withWorkload('idle', 0, 1)).toBe('idle');
  });

  it('leaves non-working statuses alone whatever the workload', () => {
    for (const status of ['offline', 'error', 'inactive', 'restarting'] as const)
      expect(withWorkload(status, 5, 1)).toBe(status);
  });

  it('a heartbeat clears offline, but inactive holds until start', () => {
    expect(statusAfterHeartbeat('offline', 'idle', 0, 1)).toBe('idle');
    expect(statusAfterHeartbeat('restarting', 'active', 0, 1)).toBe('active');
    expect(statusAfterHeartbeat('inactive', 'active', 0, 1)).toBe('inactive');
    expect(statusAfterHeartbeat('inactive', 'busy', 1, 1)).toBe('inactive');
    expect(statusAfterHeartbeat('idle', 'error', 0, 1)).toBe('error');
  });

  it('a heartbeat cannot claim idle at capacity, nor busy with room to spare', () => {
    expect(statusAfterHeartbeat('idle', 'idle', 1, 1)).toBe('busy');
    expect(statusAfterHeartbeat('idle', 'busy', 0, 2)).toBe('idle');
  });

  it('commands map to active, inactive and restarting', () => {
    expect(statusAfterCommand('start', 0, 1)).toBe('active');
    expect(statusAfterCommand('start', 1, 1)).toBe('busy');
    expect(statusAfterCommand('stop', 1, 1)).toBe('inactive');
    expect(statusAfterCommand('restart', 0, 1)).toBe('restarting');
  });

  it('is_active is false only while offline or stopped', () => {
    expect(isActiveStatus('offline')).toBe(false);
    expect(isActiveStatus('inactive')).toBe(false);
    expect(isActiveStatus('error')).toBe(true);
    expect(isActiveStatus('busy')).toBe(true);
  });

  describe('availability', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    const fresh = new Date(now - 10_000);
    const base = {
      isActive: true,
      status: 'idle' as const,
      lastHeartbeat: fresh,
      running: 0,
      capacity: 1,
    };

    it('needs an active agent, a working status, a fresh heartbeat and spare capacity', () => {
      expect(isAvailable(base, 90, now)).toBe(true);
      expect(isAvailable({ ...base, status: 'busy', running: 1, capacity: 2 }, 90, now)).toBe(true);
      expect(isAvailable({ ...base, isActive: false }, 90, now)).toBe(false);
      expect(isAvailable({ ...base, status: 'error' }, 90, now)).toBe(false);
      expect(isAvailable({ ...base, status: 'restarting' }, 90, now)).toBe(false);
      expect(isAvailable({ ...base, running: 1 }, 90, now)).toBe(false);
      expect(isAvailable({ ...base, lastHeartbeat: null }, 90, now)).toBe(false);
      expect(isAvailable({ ...base, lastHeartbeat: new Date(now - 90_000) }, 90, now)).toBe(false);
      expect(isAvailable({ ...base, lastHeartbeat: new Date(now - 89_000) }, 90, now)).toBe(true);
    });
  });
});
