import { type ReactNode, useId } from 'react';
import { Badge } from '../../../components/ui/badge';
import type { CheckStep } from '../../../lib/schemas';
import { CheckScreenshot } from './check-screenshot';
import { METHOD_LABELS, OUTCOMES } from './check-labels';

export function stepTitle(step: Pick<CheckStep, 'step_number' | 'field_label'>): string {
  return `Step ${step.step_number}: ${step.field_label ?? 'Unlabeled step'}`;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="mt-0.5 break-words text-sm text-slate-900">{children}</dd>
    </div>
  );
}

/** One step of a check run's filmstrip: the page, the element found, and how it was found. */
export function CheckStepCard({ step }: { step: CheckStep }) {
  const headingId = useId();
  const outcome = OUTCOMES[step.outcome] ?? { label: step.outcome, tone: 'slate' as const, about: '' };
  const title = stepTitle(step);
  return (
    <li aria-labelledby={headingId} data-testid={`check-step-${step.step_number}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex items-start justify-between gap-3">
        <h3 id={headingId} className="min-w-0 break-words text-sm font-semibold text-slate-900">
          {title}
        </h3>
        <span data-testid="check-step-outcome" className="shrink-0">
          <Badge tone={outcome.tone} title={outcome.about}>
            {outcome.label}
          </Badge>
        </span>
      </div>
      <div className="mt-3">
        <CheckScreenshot step={step} alt={`The page at ${title}${step.box ? ', the element outlined' : ''}`} />
      </div>
      <dl className="mt-3 grid grid-cols-3 gap-3">
        <Fact label="Method">{step.method ? METHOD_LABELS[step.method] ?? step.method : '—'}</Fact>
        <Fact label="Score">{step.score === null || step.score === undefined ? '—' : `${Math.round(step.score)} / 100`}</Fact>
        <Fact label="Time">{`${step.time_ms.toLocaleString('en-GB')} ms`}</Fact>
      </dl>
      {step.page_url && (
        <p className="mt-3 truncate text-xs text-slate-600" title={step.page_url}>
          <span className="sr-only">Page: </span>
          {step.page_url}
        </p>
      )}
      {step.message && (
        <p data-testid="check-step-message" className="mt-2 break-words rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-800">
          {step.message}
        </p>
      )}
    </li>
  );
}
