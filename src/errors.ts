// The one error type of the station: a stable code, an HTTP status, whether trying again may help, and what to do.
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface StationErrorOptions {
  status?: ContentfulStatusCode;
  retryable?: boolean;
  /** What the operator or caller should do about it; appended to the message shown to people. */
  hint?: string;
  details?: unknown;
  cause?: unknown;
}

export class StationError extends Error {
  readonly code: string;
  readonly status: ContentfulStatusCode;
  readonly retryable: boolean;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(code: string, message: string, options: StationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StationError';
    this.code = code;
    this.status = options.status ?? 500;
    this.retryable = options.retryable ?? false;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** The message with its hint, as shown to a person. */
  get advice(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

export function isStationError(err: unknown): err is StationError {
  return err instanceof StationError;
}

/** A short, safe description of any thrown value (never a stack trace). */
export function describeError(err: unknown): string {
  if (err instanceof StationError) return err.advice;
  if (err instanceof Error) return err.message;
  return String(err);
}
