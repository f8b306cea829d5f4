import { describe, expect, it } from 'vitest';
import { sleep } from './async.js';
import { InFlight } from './in-flight.js';

describe('InFlight', () => {
  it('settles only once the work, and the work it started, has ended', async () => {
    const inFlight = new InFlight();
    const done: string[] = [];
    inFlight.start(
      async () => {
        await sleep(20);
        done.push('first');
        inFlight.start(
          async () => {
            await sleep(20);
            done.push('second');
          },
          () => undefined,
        );
      },
      () => undefined,
    );
    await inFlight.settled();
    expect(done).toEqual(['first', 'second']);
  });

  it('hands a failure to its handler instead of rejecting anyone', async () => {
    const inFlight = new InFlight();
    const errors: string[] = [];
    inFlight.start(
      () => Promise.reject(new Error('broken')),
      (error) => errors.push(error.message),
    );
    await inFlight.settled();
    expect(errors).toEqual(['broken']);
  });

  it('stops waiting after the limit it is given', async () => {
    const inFlight = new InFlight();
    inFlight.start(
      () => new Promise(() => undefined),
      () => undefined,
    );
    const started = Date.now();
    await inFlight.settled(50);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
