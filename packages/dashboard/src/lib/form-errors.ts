import { toApiError } from './api-error';

export interface FormErrors {
  /** Messages keyed by field name, shown next to the field. */
  fields: Record<string, string>;
  /** A message for the form as a whole (shown above the submit button). */
  form: string | null;
  /** X-Request-Id of the failure, for support. */
  requestId: string | null;
}

export const noFormErrors: FormErrors = { fields: {}, form: null, requestId: null };

/**
 * Spreads a failed submit over a form: 422 problems go next to the field their JSON pointer
 * names (when the form has it), anything else becomes the form's message. `byCode` places or
 * rewords known codes, e.g. `EMAIL_TAKEN` next to the email field.
 */
export function formErrorsFrom(
  e: unknown,
  knownFields: readonly string[],
  byCode: Partial<Record<string, { field?: string; message?: string }>> = {},
): FormErrors {
  const error = toApiError(e);
  const out: FormErrors = { fields: {}, form: null, requestId: error.requestId };
  const known = byCode[error.code];
  if (known) {
    const message = known.message ?? error.userMessage;
    if (known.field) out.fields[known.field] = message;
    else out.form = message;
    return out;
  }
  if (error.code === 'VALIDATION_ERROR') {
    const leftover: string[] = [];
    for (const [field, message] of Object.entries(error.fieldMessages())) {
      if (knownFields.includes(field)) out.fields[field] = capitalize(message);
      else leftover.push(field ? `${field}: ${message}` : message);
    }
    if (leftover.length > 0) out.form = leftover.map(capitalize).join('. ');
    else if (Object.keys(out.fields).length === 0) out.form = error.userMessage;
    return out;
  }
  out.form = error.userMessage;
  return out;
}

function capitalize(s: string): string {
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}
