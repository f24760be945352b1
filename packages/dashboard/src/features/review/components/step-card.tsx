import { useState } from 'react';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { InlineEdit } from '../../../components/ui/inline-edit';
import { cn } from '../../../lib/cn';
import { formatDateTime } from '../../../lib/format';
import type { ActionType, Step, StepUpdateRequest } from '../../../lib/schemas';
import { isLowConfidence } from '../../../lib/workflow-format';
import { SelectorVariants, variantsOf, variantsSummary } from './selector-variants';
import { takesValue } from './value-kind';
import { ValueKindControl } from './value-kind-control';

const ACTIONS: Record<ActionType, string> = {
  click: 'Click',
  input_commit: 'Type',
  select_change: 'Choose',
  submit: 'Submit',
  navigate: 'Go to page',
};

export interface StepCardProps {
  step: Step;
  count: number;
  canEdit: boolean;
  onSave: (patch: StepUpdateRequest) => Promise<void>;
  onDelete: () => void;
  onMove: (delta: -1 | 1) => void;
  onView: () => void;
  moving: boolean;
}

function Confidence({ value }: { value: number | null }) {
  if (value === null) return <Badge tone="slate">Not labeled yet</Badge>;
  const pct = Math.round(value * 100);
  return isLowConfidence(value) ? (
    <Badge tone="amber" title="The AI was unsure about this label: check it">
      ⚠ Low confidence {pct}%
    </Badge>
  ) : (
    <Badge tone="slate" title="How sure the AI was about this label">
      AI confidence {pct}%
    </Badge>
  );
}

export function StepCard({ step, count, canEdit, onSave, onDelete, onMove, onView, moving }: StepCardProps) {
  const [thumbFailed, setThumbFailed] = useState(false);
  const low = isLowConfidence(step.ai_confidence);
  const n = step.step_number;
  const thumb = step.screenshot?.thumbnail_url ?? step.screenshot?.url ?? null;
  const variants = variantsOf(step);
  const pending = variants.filter((v) => v.status === 'pending').length;
  const healed = step.healed_at || variants.some((v) => v.source === 'healed' && v.status === 'shared');
  const valueFrom = step.action_data?.value_from ?? null;

  return (
    <li
      data-testid={`step-${step.id}`}
      aria-labelledby={`step-title-${step.id}`}
      className={cn('rounded-lg border bg-white shadow-sm', low ? 'border-amber-300 ring-1 ring-amber-200' : 'border-slate-200')}
    >
      <div className="flex gap-5 p-4">
        <div className="flex w-8 shrink-0 flex-col items-center gap-1">
          <span className="flex h-8 w-8 items-center justify-center rounded-full bg-indigo-600 text-sm font-semibold text-white" aria-hidden="true">
            {n}
          </span>
          {canEdit && (
            <>
              <button
                type="button"
                onClick={() => onMove(-1)}
                disabled={n === 1 || moving}
                aria-label={`Move step ${n} up`}
                className="mt-1 rounded px-1.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:text-slate-300"
              >
                ▲
              </button>
              <button
                type="button"
                onClick={() => onMove(1)}
                disabled={n === count || moving}
                aria-label={`Move step ${n} down`}
                className="rounded px-1.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:text-slate-300"
              >
                ▼
              </button>
            </>
          )}
        </div>

        <button
          type="button"
          onClick={onView}
          aria-label={`View the screenshot of step ${n}`}
          className="h-32 w-52 shrink-0 overflow-hidden rounded-md border border-slate-200 bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          {thumb && !thumbFailed ? (
            <img src={thumb} alt="" loading="lazy" className="h-full w-full object-cover object-top" onError={() => setThumbFailed(true)} />
          ) : (
            <span className="flex h-full items-center justify-center text-xs text-slate-500">{thumb ? 'Screenshot unavailable' : 'No screenshot'}</span>
          )}
        </button>

        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <h3 id={`step-title-${step.id}`} className="text-sm font-semibold text-slate-900">
              Step {n} · {ACTIONS[step.action_type]}
            </h3>
            <Confidence value={step.ai_confidence} />
            {(step.label_edited || step.instruction_edited) && (
              <Badge tone="indigo" title={step.edited_at ? `Edited ${formatDateTime(step.edited_at)}` : undefined}>
                ✎ Edited{step.label_edited && !step.instruction_edited ? ' label' : !step.label_edited ? ' instruction' : ''}
              </Badge>
            )}
            {healed && <Badge tone="green">Healed</Badge>}

            {canEdit && (
              <Button variant="danger-ghost" size="sm" className="ml-auto" onClick={onDelete} aria-label={`Delete step ${n}`}>
                Delete
              </Button>
            )}
          </div>
          <div className="mt-2 grid gap-2">
            <div>
              <p className="text-xs font-medium uppercase tracking-wide text-slate-600">Label</p>
              <InlineEdit
                value={step.field_label}
                label={`Label of step ${n}`}
                placeholder="No label yet"
                maxLength={100}
                readOnly={!canEdit}
                onSave={(v) => onSave({ field_label: v })}
                className="text-base font-medium text-slate-900"
              />
            </div>
            <div>
              <p className="text-xs font-medium uppercase tracking-wide text-slate-600">Instruction</p>
              <InlineEdit
                value={step.instruction}
                label={`Instruction of step ${n}`}
                placeholder="No instruction yet"
                maxLength={500}
                multiline
                readOnly={!canEdit}
                onSave={(v) => onSave({ instruction: v })}
                className="text-sm text-slate-800"
              />
            </div>
            {takesValue(step) && <ValueKindControl step={step} canEdit={canEdit} onSave={onSave} />}
            {valueFrom !== null && (
              <p className="text-xs text-slate-600" data-testid={`value-from-${step.id}`}>
                Shows the value typed in step {valueFrom}: each colleague sees their own, so the instruction does not quote it.
              </p>
            )}
          </div>

          <details className="mt-2 text-sm">
            <summary className="cursor-pointer rounded text-sm focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
              <span className="font-medium text-indigo-700 hover:underline">Selectors and healing history</span>
              <span className={cn('ml-2 text-xs', pending > 0 ? 'text-amber-800' : 'text-slate-600')} data-testid={`variants-summary-${step.id}`}>
                {variantsSummary(variants)}
              </span>
            </summary>
            <SelectorVariants step={step} />
          </details>
        </div>
      </div>
    </li>
  );
}
