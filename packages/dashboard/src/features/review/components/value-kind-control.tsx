import { useEffect, useId, useState } from 'react';
import { Spinner } from '../../../components/ui/spinner';
import { toApiError } from '../../../lib/api-error';
import { cn } from '../../../lib/cn';
import type { Step, StepUpdateRequest, ValueKind } from '../../../lib/schemas';
import { VALUE_KINDS, recordedValue, valueKindOf } from './value-kind';

type SaveState = { kind: 'idle' } | { kind: 'saving'; to: ValueKind } | { kind: 'saved' } | { kind: 'error'; message: string };

export interface ValueKindControlProps {
  step: Step;
  canEdit: boolean;
  onSave: (patch: StepUpdateRequest) => Promise<void>;
}

/**
 * "Value: Their own / They choose / Fixed" for a step that types or chooses a value. A choice is
 * saved at once (the server writes the label and instruction again for it, unless edited); the
 * step shown then is the server's answer.
 */
export function ValueKindControl({ step, canEdit, onSave }: ValueKindControlProps) {
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const statusId = useId();
  const current = valueKindOf(step);
  const shown = state.kind === 'saving' ? state.to : current;
  const option = VALUE_KINDS.find((o) => o.kind === shown) ?? VALUE_KINDS[2]!;
  const recorded = recordedValue(step);
  const n = step.step_number;

  useEffect(() => {
    if (state.kind !== 'saved') return;
    const t = setTimeout(() => setState({ kind: 'idle' }), 2500);
    return () => clearTimeout(t);
  }, [state]);

  const choose = async (kind: ValueKind) => {
    if (kind === current || state.kind === 'saving') return;
    setState({ kind: 'saving', to: kind });
    try {
      await onSave({ value_kind: kind });
      setState({ kind: 'saved' });
    } catch (e) {
      const error = toApiError(e);
      setState({ kind: 'error', message: error.status === 412 ? 'Not saved: the workflow changed elsewhere' : `Not saved: ${error.userMessage}` });
    }
  };

  return (
    <fieldset disabled={!canEdit || state.kind === 'saving'} aria-describedby={statusId} data-testid={`value-kind-${step.id}`}>
      <legend className="text-xs font-medium uppercase tracking-wide text-slate-600">
        Value <span className="sr-only">of step {n}</span>
      </legend>
      <div className="mt-1 inline-flex overflow-hidden rounded-md border border-slate-300 shadow-sm">
        {VALUE_KINDS.map((o, i) => (
          <label
            key={o.kind}
            className={cn(
              'cursor-pointer px-3 py-1 text-sm has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:-outline-offset-2 has-[:focus-visible]:outline-indigo-600',
              i > 0 && 'border-l border-slate-300',
              shown === o.kind ? 'bg-indigo-600 font-medium text-white' : 'bg-white text-slate-700 hover:bg-slate-50',
              !canEdit && 'cursor-default',
            )}
          >
            <input type="radio" className="sr-only" name={`value-kind-${step.id}`} value={o.kind} checked={shown === o.kind} onChange={() => void choose(o.kind)} />
            {o.label}
          </label>
        ))}
      </div>
      <p className="mt-1 text-xs text-slate-600">
        {option.help}
        {step.action_data?.value_masked ? ' The recorded value was hidden.' : recorded ? ` You recorded “${recorded}”.` : ''}
      </p>
      <p id={statusId} role="status" className="min-h-[1rem] text-xs">
        {state.kind === 'saving' && (
          <span className="inline-flex items-center gap-1 text-slate-600">
            <Spinner size="sm" /> Saving…
          </span>
        )}
        {state.kind === 'saved' && <span className="text-emerald-700">Saved{step.label_edited || step.instruction_edited ? ' (your edited text is kept)' : ''}</span>}
        {state.kind === 'error' && <span className="text-red-700">{state.message}</span>}
      </p>
    </fieldset>
  );
}
