import type { ErrorCode, FieldError } from '@stepwise/api-types';

/** Codes the client itself produces when no error envelope came back. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE';

export interface ApiErrorInit {
  status: number;
  code: ErrorCode | ClientErrorCode;
  message: string;
  details?: Record<string, unknown>;
  requestId?: string | null;
  retryAfter?: number | null;
}

/** A failed API call: the server's `{error: {code, message, details}}` plus the HTTP facts. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | ClientErrorCode;
  readonly details: Record<string, unknown>;
  /** X-Request-Id of the failing response; people quote it when reporting a problem. */
  readonly requestId: string | null;
  /** Retry-After in seconds (429 and 503), when the server sent it. */
  readonly retryAfter: number | null;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
  }

  /** The 422 problems, `{pointer, message}` each (empty for other errors). */
  get fieldErrors(): FieldError[] {
    const errors = this.details['errors'];
    if (!Array.isArray(errors)) return [];
    return errors.filter(
      (e): e is FieldError =>
        typeof e === 'object' && e !== null && typeof (e as FieldError).pointer === 'string' && typeof (e as FieldError).message === 'string',
    );
  }

  /**
   * The 422 problems keyed by the field they point at (`/email` → `email`, `/settings/webhook_url`
   * → `settings.webhook_url`); problems with the body as a whole are under `''`.
   */
  fieldMessages(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.fieldErrors) {
      const key = e.pointer
        .split('/')
        .slice(1)
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .join('.');
      out[key] = out[key] ? `${out[key]}; ${e.message}` : e.message;
    }
    return out;
  }

  /** A sentence for people, with the wait when rate limited. */
  get userMessage(): string {
    if (this.code === 'RATE_LIMITED' || (this.status === 429 && this.retryAfter !== null)) {
      return this.retryAfter !== null
        ? `Too many attempts. Please try again in ${formatSeconds(this.retryAfter)}.`
        : 'Too many attempts. Please wait a moment and try again.';
    }
    if (this.code === 'OVERLOADED') {
      return this.retryAfter !== null
        ? `The server is busy. Please try again in ${formatSeconds(this.retryAfter)}.`
        : 'The server is busy. Please try again shortly.';
    }
    return this.message;
  }
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Any thrown value as an ApiError (so components render one kind of failure). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError({ status: 0, code: 'BAD_RESPONSE', message: e instanceof Error ? e.message : 'Something went wrong.' });
}
