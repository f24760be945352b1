import { useEffect, useId, useRef, useState } from 'react';
import { toApiError } from '../../lib/api-error';
import { cn } from '../../lib/cn';
import { Spinner } from './spinner';

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; message: string };

export interface InlineEditProps {
  value: string | null;
  /** The accessible name of the field, e.g. "Label of step 3". */
  label: string;
  placeholder: string;
  maxLength: number;
  multiline?: boolean;
  readOnly?: boolean;
  onSave: (value: string) => Promise<void>;
  className?: string;
}

/**
 * Text that becomes a field when clicked. Enter (Ctrl+Enter when multi-line) or leaving the field
 * saves, Escape cancels; the save state is shown beside it and announced.
 */
export function InlineEdit({ value, label, placeholder, maxLength, multiline = false, readOnly = false, onSave, className }: InlineEditProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value ?? '');
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const fieldRef = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const statusId = useId();

  useEffect(() => {
    if (!editing) setDraft(value ?? '');
  }, [value, editing]);

  useEffect(() => {
    if (editing) {
      fieldRef.current?.focus();
      fieldRef.current?.select();
    }
  }, [editing]);

  useEffect(() => {
    if (state.kind !== 'saved') return;
    const t = setTimeout(() => setState({ kind: 'idle' }), 2500);
    return () => clearTimeout(t);
  }, [state]);

  if (readOnly) {
    return <p className={cn('whitespace-pre-wrap break-words', !value && 'italic text-slate-500', className)}>{value || placeholder}</p>;
  }

  const finish = async (save: boolean) => {
    if (!editing) return;
    setEditing(false);
    const next = draft.trim();
    if (!save || next === (value ?? '').trim()) {
      setDraft(value ?? '');
      requestAnimationFrame(() => buttonRef.current?.focus());
      return;
    }
    if (next === '') {
      setState({ kind: 'error', message: 'Cannot be empty' });
      setDraft(value ?? '');
      requestAnimationFrame(() => buttonRef.current?.focus());
      return;
    }
    setState({ kind: 'saving' });
    requestAnimationFrame(() => buttonRef.current?.focus());
    try {
      await onSave(next);
      setState({ kind: 'saved' });
    } catch (e) {
      const error = toApiError(e);
      const field = Object.values(error.fieldMessages())[0];
      setState({ kind: 'error', message: error.status === 412 ? 'Not saved: the workflow changed elsewhere' : field ? `Not saved: ${field}` : `Not saved: ${error.userMessage}` });
      setDraft(value ?? '');
    }
  };

  const shown = state.kind === 'saving' ? draft : value;

  return (
    <div className={cn('group', className)}>
      {editing ? (
        multiline ? (
          <textarea
            ref={fieldRef}
            aria-label={label}
            value={draft}
            maxLength={maxLength}
            rows={3}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => void finish(true)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.stopPropagation();
                void finish(false);
              } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void finish(true);
              }
            }}
            className="block w-full rounded-md border border-indigo-500 px-2 py-1 text-sm text-slate-900 shadow-sm focus:outline-none focus:ring-2 focus:ring-indigo-200"
          />
        ) : (
          <input
            ref={fieldRef}
            aria-label={label}
            value={draft}
            maxLength={maxLength}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => void finish(true)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.stopPropagation();
                void finish(false);
              } else if (e.key === 'Enter') {
                e.preventDefault();
                void finish(true);
              }
            }}
            className="block w-full rounded-md border border-indigo-500 px-2 py-1 text-sm text-slate-900 shadow-sm focus:outline-none focus:ring-2 focus:ring-indigo-200"
          />
        )
      ) : (
        <button
          ref={buttonRef}
          type="button"
          onClick={() => setEditing(true)}
          aria-label={`Edit ${label.charAt(0).toLowerCase()}${label.slice(1)}`}
          aria-describedby={statusId}
          disabled={state.kind === 'saving'}
          className="-mx-1 block w-full rounded px-1 py-0.5 text-left hover:bg-indigo-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <span className={cn('whitespace-pre-wrap break-words', !shown && 'italic text-slate-500')}>{shown || placeholder}</span>
          <span aria-hidden="true" className="ml-2 text-xs text-indigo-700 opacity-0 group-hover:opacity-100">
            ✎ Edit
          </span>
        </button>
      )}
      <p id={statusId} role="status" className="min-h-[1rem] text-xs">
        {state.kind === 'saving' && (
          <span className="inline-flex items-center gap-1 text-slate-600">
            <Spinner size="sm" /> Saving…
          </span>
        )}
        {state.kind === 'saved' && <span className="text-emerald-700">Saved</span>}
        {state.kind === 'error' && <span className="text-red-700">{state.message}</span>}
      </p>
    </div>
  );
}
