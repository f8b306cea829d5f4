import { describe, expect, it } from 'vitest';
import { isSilent } from './agent-heartbeats.service.js';

describe('isSilent', () => {
  const now = new Date('2026-12-07T10:00:00Z');
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

  it('an agent that heartbeat within the window is still in the dispatcher’s pool', () => {
    expect(isSilent(ago(10), now, 90)).toBe(false);
    expect(isSilent(ago(88), now, 90)).toBe(false);
  });

  it('an agent silent for the window (or within a second of it) has dropped out', () => {
    expect(isSilent(ago(89), now, 90)).toBe(true);
    expect(isSilent(ago(600), now, 90)).toBe(true);
  });
});
