import { useId, useState } from 'react';
import type { Company } from '@stepwise/api-types';
import { Card } from '../../../components/ui/card';
import { cn } from '../../../lib/cn';
import { formErrorsFrom } from '../../../lib/form-errors';
import { toast } from '../../../stores/toast-store';
import { setLauncherEnabled } from '../api/settings-api';

const FIELD = 'settings.launcher_enabled';

/**
 * The extension's "Guides" button on pages of sites with published guides (off until an admin
 * turns it on). A switch that saves at once; what it shows is the server's answer.
 */
export function LauncherCard({ company, onSaved, className }: { company: Company; onSaved: (company: Company) => void; className?: string }) {
  const on = company.settings.launcher_enabled === true;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const labelId = useId();
  const errorId = useId();

  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      const updated = await setLauncherEnabled(!on);
      onSaved(updated);
      const now = updated.settings.launcher_enabled === true;
      toast.success(now ? 'Guide launcher on' : 'Guide launcher off', now ? 'Colleagues with the extension see it within a minute.' : 'It leaves their pages within a minute.');
    } catch (err) {
      const errors = formErrorsFrom(err, [FIELD]);
      setError(errors.fields[FIELD] ?? errors.form ?? 'The setting could not be saved.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      className={className}
      title="Guide launcher"
      headingId="launcher-heading"
      description="A “Guides” button on pages of sites with published guides, listing them so colleagues can start one in a click."
    >
      <div className="flex items-center justify-between gap-4">
        <span id={labelId} className="text-sm font-medium text-slate-800">
          Show the Guides button to colleagues with the extension
        </span>
        <button
          type="button"
          role="switch"
          aria-checked={on}
          aria-labelledby={labelId}
          aria-describedby={error ? errorId : undefined}
          aria-busy={busy || undefined}
          disabled={busy}
          onClick={() => void toggle()}
          className={cn(
            'relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors',
            'focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-wait disabled:opacity-60',
            on ? 'bg-indigo-600' : 'bg-slate-300',
          )}
        >
          <span aria-hidden="true" className={cn('inline-block h-5 w-5 rounded-full bg-white shadow transition-transform', on ? 'translate-x-5' : 'translate-x-0.5')} />
        </button>
      </div>
      {error && (
        <p id={errorId} role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      )}
    </Card>
  );
}
