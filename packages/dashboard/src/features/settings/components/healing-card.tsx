import { type FormEvent, useEffect, useId, useState } from 'react';
import type { Company } from '@stepwise/api-types';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { cn } from '../../../lib/cn';
import { formErrorsFrom, noFormErrors, type FormErrors } from '../../../lib/form-errors';
import { toast } from '../../../stores/toast-store';
import { DEFAULT_HEAL_CONFIRMATIONS, setHealConfirmationsRequired } from '../api/settings-api';

const FIELD = 'settings.heal_confirmations_required';
export const MIN_CONFIRMATIONS = 1;
export const MAX_CONFIRMATIONS = 10;

/** The typed value as a whole number of colleagues, or an explanation of what is wrong with it. */
export function parseConfirmations(text: string): { value: number } | { error: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { error: `Enter a whole number from ${MIN_CONFIRMATIONS} to ${MAX_CONFIRMATIONS}` };
  const n = Number(t);
  if (n < MIN_CONFIRMATIONS || n > MAX_CONFIRMATIONS) return { error: `Enter a whole number from ${MIN_CONFIRMATIONS} to ${MAX_CONFIRMATIONS}` };
  return { value: n };
}

/** How many colleagues must confirm a healed element before every walkthrough uses it. */
export function HealingCard({ company, onSaved, className }: { company: Company; onSaved: (company: Company) => void; className?: string }) {
  const saved = company.settings.heal_confirmations_required ?? DEFAULT_HEAL_CONFIRMATIONS;
  const [text, setText] = useState(String(saved));
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const inputId = useId();
  const error = errors.fields[FIELD] ?? errors.form ?? null;

  useEffect(() => setText(String(saved)), [saved]);

  const dirty = text.trim() !== String(saved);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseConfirmations(text);
    if ('error' in parsed) {
      setErrors({ ...noFormErrors, fields: { [FIELD]: parsed.error } });
      return;
    }
    setBusy(true);
    setErrors(noFormErrors);
    try {
      const updated = await setHealConfirmationsRequired(parsed.value);
      onSaved(updated);
      const n = updated.settings.heal_confirmations_required ?? parsed.value;
      toast.success('Healing setting saved', `A healed element is shared once ${n} ${n === 1 ? 'colleague confirms' : 'colleagues confirm'} it, or an admin does.`);
    } catch (err) {
      setErrors(formErrorsFrom(err, [FIELD]));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      className={className}
      title="Healing"
      headingId="healing-heading"
      description="When a walkthrough finds a moved element, colleagues confirm it before every walkthrough uses it."
    >
      <form onSubmit={onSubmit} noValidate aria-label="Healing">
        <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
          Colleagues who must confirm a healed element
        </label>
        <div className="mt-1 flex items-center gap-3">
          <input
            id={inputId}
            name="heal_confirmations_required"
            type="number"
            inputMode="numeric"
            min={MIN_CONFIRMATIONS}
            max={MAX_CONFIRMATIONS}
            step={1}
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${inputId}-error ${inputId}-hint` : `${inputId}-hint`}
            className={cn(
              'block w-24 rounded-md border px-3 py-2 text-sm text-slate-900 shadow-sm focus:outline-none focus:ring-2',
              error ? 'border-red-500 focus:border-red-600 focus:ring-red-200' : 'border-slate-300 focus:border-indigo-600 focus:ring-indigo-200',
            )}
          />
          <Button type="submit" busy={busy} disabled={!dirty} aria-label="Save healing setting">
            Save
          </Button>
        </div>
        {error && (
          <p id={`${inputId}-error`} className="mt-1 text-sm text-red-700">
            {error}
          </p>
        )}
        <p id={`${inputId}-hint`} className="mt-1 text-xs text-slate-600">
          From {MIN_CONFIRMATIONS} to {MAX_CONFIRMATIONS} (default {DEFAULT_HEAL_CONFIRMATIONS}). An admin’s confirmation always counts as enough. Until then, a healed
          element is used only by the colleagues who confirmed it; the others are asked first.
        </p>
      </form>
    </Card>
  );
}
