/**
 * Domain errors. Services throw these; the global filter (HTTP) and the gateways'
 * acknowledgements (Socket.IO) turn them into the contract's error shape.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: FieldError[],
    /** Extra fields for the error body, e.g. the cycle or the blockers. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details?: FieldError[]) {
    super(400, message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(resource: string, id?: string) {
    super(404, id === undefined ? `${resource} not found` : `${resource} ${id} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, extra?: Record<string, unknown>) {
    super(409, message, undefined, extra);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to do this') {
    super(403, message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'A valid credential is required') {
    super(401, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string, details?: FieldError[]) {
    super(415, message, details);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string, details?: FieldError[]) {
    super(503, message, details);
  }
}

/** Too much of one kind of work in flight on this instance: nothing was done, retry shortly. */
export class TooBusyError extends ServiceUnavailableError {}
