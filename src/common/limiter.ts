/**
 * At most `limit` calls of `run` at once; the others wait their turn, first come
 * first served, for at most `maxWaitMs`: then `tooBusy()` is thrown (a 503), as a
 * pool would when no connection frees in time.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaitMs: number,
    private readonly tooBusy: () => Error,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    // A finishing call hands its slot straight to the next in line.
    else await this.turn();
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  private turn(): Promise<void> {
    return new Promise<void>((resolveTurn, reject) => {
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(take), 1);
        reject(this.tooBusy());
      }, this.maxWaitMs);
      const take = () => {
        clearTimeout(timer);
        resolveTurn();
      };
      this.waiting.push(take);
    });
  }
}
