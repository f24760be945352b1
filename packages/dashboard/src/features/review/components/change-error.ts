import { toApiError } from '../../../lib/api-error';
import { toast } from '../../../stores/toast-store';

/** A failed change to the workflow as a toast; a 412 is left to the page's conflict banner. */
export function showChangeError(e: unknown, what: string) {
  const error = toApiError(e);
  if (error.status === 412) return; // the conflict banner says it
  toast.error(error.requestId ? { title: `${what} failed`, message: error.userMessage, requestId: error.requestId } : { title: `${what} failed`, message: error.userMessage });
}
