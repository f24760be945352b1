import { useToastStore, type Toast } from '../../stores/toast-store';
import { cn } from '../../lib/cn';

const styles: Record<Toast['kind'], string> = {
  error: 'border-red-300 bg-white text-red-900',
  success: 'border-emerald-300 bg-white text-emerald-900',
  info: 'border-indigo-300 bg-white text-slate-900',
};

const bars: Record<Toast['kind'], string> = {
  error: 'bg-red-600',
  success: 'bg-emerald-600',
  info: 'bg-indigo-600',
};

/** Renders the toast store: errors from the API interceptor, confirmations of actions. */
export function Toaster() {
  const toasts = useToastStore((s) => s.toasts);
  const dismiss = useToastStore((s) => s.dismiss);
  return (
    <div aria-live="polite" aria-relevant="additions" className="pointer-events-none fixed bottom-4 left-4 z-50 flex w-96 flex-col gap-3">
      {toasts.map((t) => (
        <div
          key={t.id}
          role={t.kind === 'error' ? 'alert' : 'status'}
          className={cn('pointer-events-auto flex overflow-hidden rounded-lg border shadow-lg', styles[t.kind])}
        >
          <span className={cn('w-1.5 shrink-0', bars[t.kind])} aria-hidden="true" />
          <div className="flex-1 px-4 py-3 text-sm">
            <p className="font-semibold">{t.title}</p>
            {t.message && <p className="mt-0.5 text-slate-700">{t.message}</p>}
            {t.requestId && <p className="mt-1 font-mono text-xs text-slate-600">Request ID: {t.requestId}</p>}
          </div>
          <button
            type="button"
            onClick={() => dismiss(t.id)}
            className="px-3 text-slate-500 hover:text-slate-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
            aria-label={`Dismiss: ${t.title}`}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
