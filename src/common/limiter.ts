/**
 * At most `limit` calls of `run` at once; the others wait their turn, first come
 * first served.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    // A finishing call hands its slot straight to the next in line.
    else await new Promise<void>((resolveTurn) => this.waiting.push(resolveTurn));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
