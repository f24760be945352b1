import { useId } from 'react';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { cn } from '../../../lib/cn';
import type { Step } from '../../../lib/schemas';
import { MAX_VALUE_LENGTH } from './check-labels';

/** What the admin typed per step (new values) and which saved values they asked to remove. */
export interface ReplayDraft {
  typed: Readonly<Record<string, string>>;
  cleared: readonly number[];
}

export const noReplayDraft: ReplayDraft = { typed: {}, cleared: [] };

/** The `values` of the update: each typed value, and null for each value to remove. */
export function replayValuesUpdate(draft: ReplayDraft): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const id of draft.cleared) out[String(id)] = null;
  for (const [id, v] of Object.entries(draft.typed)) if (v !== '') out[id] = v;
  return out;
}

const KIND_WORDS = { personal: 'their own value', free: 'a value they choose' } as const;

/**
 * Write-only fields for the values a replay types into personal and free steps: a saved value is
 * never shown (the server does not send it back), only that one is set; typing replaces it, Clear
 * removes it on save.
 */
export function ReplayValues({
  steps,
  setIds,
  draft,
  onChange,
  errors,
}: {
  steps: readonly Step[];
  setIds: readonly number[];
  draft: ReplayDraft;
  onChange: (draft: ReplayDraft) => void;
  errors: Record<string, string>;
}) {
  const baseId = useId();
  if (steps.length === 0) {
    return <p className="text-sm text-slate-600">No step takes a colleague’s own or chosen value: replay uses the recorded values.</p>;
  }
  const missing = steps.filter((s) => !setIds.includes(s.id) && !draft.typed[String(s.id)]).length;
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">Values for replay</legend>
      <p className="mt-1 text-xs text-slate-600">
        Replay types these where each colleague enters their own value or makes one up. They are stored encrypted and never shown again: type a new one to replace
        it. Fixed steps use the recorded value.
      </p>
      {missing > 0 && (
        <p className="mt-1 text-xs text-amber-800">
          {missing === 1 ? '1 step has' : `${missing} steps have`} no value: a replay ends with an error at the first of them.
        </p>
      )}
      <ul className="mt-3 space-y-3">
        {steps.map((s) => {
          const key = String(s.id);
          const inputId = `${baseId}-${s.id}`;
          const errorId = `${inputId}-error`;
          const error = errors[`values.${s.id}`];
          const isSet = setIds.includes(s.id);
          const clearing = draft.cleared.includes(s.id);
          const kind = s.action_data?.value_kind ?? 'personal';
          const label = `Step ${s.step_number}: ${s.field_label ?? 'Unlabeled step'}`;
          return (
            <li key={s.id} data-testid={`replay-value-${s.id}`}>
              <div className="flex items-center justify-between gap-3">
                <label htmlFor={inputId} className="min-w-0 break-words text-sm text-slate-800">
                  {label}
                  <span className="text-slate-500"> · {KIND_WORDS[kind === 'free' ? 'free' : 'personal']}</span>
                </label>
                <span data-testid="replay-value-state">
                  {clearing ? <Badge tone="amber">Removed on save</Badge> : isSet ? <Badge tone="green">Set</Badge> : <Badge>Not set</Badge>}
                </span>
              </div>
              <div className="mt-1 flex items-center gap-2">
                <input
                  id={inputId}
                  name={`values.${s.id}`}
                  type={s.action_data?.value_masked ? 'password' : 'text'}
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={MAX_VALUE_LENGTH}
                  placeholder={isSet ? 'Set: type to replace' : 'Not set'}
                  value={draft.typed[key] ?? ''}
                  disabled={clearing}
                  onChange={(e) => onChange({ ...draft, typed: { ...draft.typed, [key]: e.target.value } })}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? errorId : undefined}
                  className={cn(
                    'block w-full min-w-0 flex-1 rounded-md border px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:outline-none focus:ring-2 disabled:bg-slate-100',
                    error ? 'border-red-500 focus:ring-red-200' : 'border-slate-300 focus:border-indigo-600 focus:ring-indigo-200',
                  )}
                />
                {clearing ? (
                  <Button variant="ghost" size="sm" aria-label={`Keep the value of ${label}`} onClick={() => onChange({ ...draft, cleared: draft.cleared.filter((id) => id !== s.id) })}>
                    Undo
                  </Button>
                ) : (
                  isSet && (
                    <Button
                      variant="danger-ghost"
                      size="sm"
                      aria-label={`Clear the value of ${label}`}
                      onClick={() => {
                        const { [key]: _dropped, ...typed } = draft.typed;
                        onChange({ typed, cleared: [...draft.cleared, s.id] });
                      }}
                    >
                      Clear
                    </Button>
                  )
                )}
              </div>
              {error && (
                <p id={errorId} className="mt-1 text-sm text-red-700">
                  {error}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
