import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import { describe, expect, it } from 'vitest';
import { mapError } from './error-mapper.js';

function queryFailed(code: string, message: string): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));
}

describe('mapError: library errors the client caused', () => {
  it('maps characters PostgreSQL cannot store to a 400', () => {
    for (const [code, message] of [
      ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
      ['22P05', 'unsupported Unicode escape sequence'],
    ]) {
      const mapped = mapError(queryFailed(code, message));
      expect(mapped.status).toBe(400);
      expect(mapped.unexpected).toBe(false);
      expect(mapped.body.message).toMatch(/cannot be stored/);
    }
  });

  it('keeps a refused body of body-parser as the 400 it carries', () => {
    const error = Object.assign(new Error('The request body nests too deep'), {
      status: 400,
      expose: true,
      type: 'entity.depth',
    });
    expect(mapError(error)).toMatchObject({
      status: 400,
      body: { status_code: 400, message: 'The request body nests too deep' },
    });
  });

  it('maps a transaction whose connection PostgreSQL dropped to a 503', () => {
    for (const error of [
      new QueryRunnerAlreadyReleasedError(),
      new QueryRunnerProviderAlreadyReleasedError(),
    ]) {
      expect(mapError(error)).toMatchObject({ status: 503, body: { status_code: 503 } });
    }
  });
});
