import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '../common/errors/app-errors.js';

export type FileDownload =
  | { kind: 'content'; status: 200 | 206; headers: Record<string, string>; stream: Readable }
  | { kind: 'unsatisfiable'; size: number };

const logger = new Logger('FileDownload');

/**
 * Writes a download to the response. Done by hand rather than through Nest's
 * StreamableFile, which would reset the status to the route's 200 and lose the 206.
 */
export function sendDownload(response: Response, download: FileDownload): void {
  if (download.kind === 'unsatisfiable') {
    response.setHeader('Content-Range', `bytes */${download.size}`);
    throw new AppError(
      416,
      `The requested range is not satisfiable: the file has ${download.size} bytes`,
    );
  }
  response.status(download.status);
  for (const [name, value] of Object.entries(download.headers)) response.setHeader(name, value);
  if (response.req.method === 'HEAD') {
    download.stream.destroy();
    response.end();
    return;
  }
  // pipeline destroys the file stream when the client goes away, and the response when the disk fails.
  pipeline(download.stream, response, (error) => {
    // A client that leaves early is no fault of ours; a disk that fails is.
    if (error && error.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      logger.error(`download failed midway: ${error.message}`);
    }
  });
}
