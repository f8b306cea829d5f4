import { describe, expect, it } from 'vitest';
import { parseS3Url } from './s3-client.js';

describe('parseS3Url', () => {
  it('splits s3://bucket/key, keeping the key whole', () => {
    expect(parseS3Url('s3://subforge/prod/backups/9b2f.ndjson.gz')).toEqual({
      bucket: 'subforge',
      key: 'prod/backups/9b2f.ndjson.gz',
    });
  });

  it('leaves local paths and incomplete URLs alone', () => {
    expect(parseS3Url('./backups/full.ndjson.gz')).toBeUndefined();
    expect(parseS3Url('s3://bucket-only')).toBeUndefined();
    expect(parseS3Url('s3://bucket/')).toBeUndefined();
  });
});
