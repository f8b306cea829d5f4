import { AppError, BadRequestError } from '../common/errors/app-errors.js';

/** 413: a file (`files.<n>`) went over MAX_FILE_SIZE, or the request over MAX_FILES_PER_UPLOAD. */
export class UploadTooLargeError extends AppError {
  constructor(field: string, message: string) {
    super(413, message, [{ field, message }]);
  }
}

/** 415 naming the file whose extension or content is refused. */
export class FileTypeRefusedError extends AppError {
  constructor(field: string, message: string) {
    super(415, message, [{ field, message }]);
  }
}

export function badField(field: string, message: string): BadRequestError {
  return new BadRequestError(`Invalid input: ${field}`, [{ field, message }]);
}
