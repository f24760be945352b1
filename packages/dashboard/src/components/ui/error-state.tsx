import type { ApiError } from '../../lib/api-error';
import { Button } from './button';

/** A failed load: what happened, the request id for support, and a way to try again. */
export function ErrorState({ error, title = 'This could not be loaded', onRetry }: { error: ApiError; title?: string; onRetry?: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-6 py-8 text-center">
      <p className="text-base font-semibold text-red-800">{title}</p>
      <p className="mt-1 text-sm text-red-800">{error.userMessage}</p>
      {error.requestId && <p className="mt-2 font-mono text-xs text-red-700">Request ID: {error.requestId}</p>}
      {onRetry && (
        <Button variant="secondary" className="mt-4" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}
