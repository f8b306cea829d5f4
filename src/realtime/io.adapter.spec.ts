import { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import { from, Observable, throwError } from 'rxjs';
import type { Socket } from 'socket.io';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/config.js';
import type { RedisService } from '../redis/redis.service.js';
import { RealtimeIoAdapter } from './io.adapter.js';

/** A socket as far as handler binding goes: an emitter that records what it sends. */
function fakeSocket() {
  const sent: unknown[][] = [];
  const socket = new EventEmitter();
  const receive = socket.emit.bind(socket);
  const send = (event: string, ...args: unknown[]) => {
    sent.push([event, ...args]);
    return true;
  };
  return { socket: Object.assign(socket, { emit: send }) as unknown as Socket, receive, sent };
}

const adapter = new RealtimeIoAdapter(undefined as never, {} as AppConfig, {} as RedisService);
const asObservable = (value: unknown): Observable<unknown> => from(Promise.resolve(value));
const tick = () => new Promise<void>((resolveTick) => setImmediate(resolveTick));

describe('RealtimeIoAdapter message binding', () => {
  it('passes data and ack, acknowledges with the result, emits an {event, data} result', async () => {
    const { socket, receive, sent } = fakeSocket();
    const seen: unknown[] = [];
    adapter.bindMessageHandlers(
      socket,
      [
        {
          message: 'ping',
          methodName: 'ping',
          isAckHandledManually: false,
          callback: (data: unknown) => {
            seen.push(data);
            return Promise.resolve({ pong: data });
          },
        },
        {
          message: 'shout',
          methodName: 'shout',
          isAckHandledManually: false,
          callback: () => Promise.resolve({ event: 'heard', data: 1 }),
        },
      ],
      asObservable,
    );
    const ack = vi.fn();
    receive('ping', { n: 1 }, ack);
    receive('shout');
    await tick();
    expect(seen).toEqual([{ n: 1 }]);
    expect(ack).toHaveBeenCalledWith({ pong: { n: 1 } });
    expect(sent).toEqual([['heard', 1]]);
  });

  it('leaves the ack to a handler that takes it, and logs a failure without unbinding', async () => {
    const { socket, receive } = fakeSocket();
    const logged = vi
      .spyOn((adapter as unknown as { logger: Logger }).logger, 'error')
      .mockImplementation(() => undefined);
    const ack = vi.fn();
    let calls = 0;
    adapter.bindMessageHandlers(
      socket,
      [
        {
          message: 'manual',
          methodName: 'manual',
          isAckHandledManually: true,
          callback: () => Promise.resolve('ignored'),
        },
        {
          message: 'broken',
          methodName: 'broken',
          isAckHandledManually: false,
          callback: () => Promise.resolve(++calls),
        },
      ],
      (value) =>
        calls === 1 ? throwError(() => new Error('handler failed')) : asObservable(value),
    );
    receive('manual', {}, ack);
    receive('broken', {}, ack);
    receive('broken', {}, ack);
    await tick();
    expect(calls).toBe(2);
    expect(logged).toHaveBeenCalledTimes(1);
    // Only the second "broken" acknowledged: the first failed, "manual" acks itself.
    expect(ack.mock.calls).toEqual([[2]]);
  });

  it('drops the replies still in progress when the socket disconnects', async () => {
    const { socket, receive } = fakeSocket();
    let stopped = false;
    const ack = vi.fn();
    adapter.bindMessageHandlers(
      socket,
      [
        {
          message: 'slow',
          methodName: 'slow',
          isAckHandledManually: false,
          callback: () => Promise.resolve('unused'),
        },
      ],
      () =>
        new Observable<unknown>(() => () => {
          stopped = true;
        }),
    );
    receive('slow', {}, ack);
    receive('disconnect', 'transport close');
    await tick();
    expect(stopped).toBe(true);
    expect(ack).not.toHaveBeenCalled();
  });
});
