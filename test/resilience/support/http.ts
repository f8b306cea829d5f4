import { TEST_ADMIN_KEY } from '../../support/app.js';
import { RawClient, RawResponse } from '../../support/raw-client.js';

/** Longest any request may take in these tests: past it, it counts as a hang. */
export const HANG_MS = 10_000;

/** JSON calls to one instance with a credential, bounded in time. */
export class Api {
  private readonly client: RawClient;

  constructor(
    readonly url: string,
    private readonly key = TEST_ADMIN_KEY,
  ) {
    this.client = new RawClient(url, { maxSockets: 32 });
  }

  withKey(key: string): Api {
    return new Api(this.url, key);
  }

  request(method: string, path: string, body?: unknown): Promise<RawResponse> {
    return this.client.send({
      method,
      url: path,
      headers: {
        'X-API-Key': this.key,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
      timeoutMs: HANG_MS,
    });
  }

  get(path: string): Promise<RawResponse> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown = {}): Promise<RawResponse> {
    return this.request('POST', path, body);
  }

  delete(path: string): Promise<RawResponse> {
    return this.request('DELETE', path);
  }

  close(): void {
    this.client.close();
  }
}
