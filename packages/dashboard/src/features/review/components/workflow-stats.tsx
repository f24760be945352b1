import type { ReactNode } from 'react';
import { formatDateTime } from '../../../lib/format';
import type { WorkflowDetail } from '../../../lib/schemas';
import { formatRate, lastRun } from '../../../lib/workflow-format';

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="mt-0.5 text-sm font-medium text-slate-900">{children}</dd>
    </div>
  );
}

/** The workflow in five numbers: steps, success rate, uses, last run, last update. */
export function WorkflowStats({ workflow }: { workflow: WorkflowDetail }) {
  return (
    <dl className="grid grid-cols-5 gap-6 rounded-lg border border-slate-200 bg-white px-6 py-4 shadow-sm">
      <Stat label="Steps">{workflow.steps.length}</Stat>
      <Stat label="Success rate">{formatRate(workflow.success_rate, workflow.total_uses)}</Stat>
      <Stat label="Total uses">{workflow.total_uses.toLocaleString('en-GB')}</Stat>
      <Stat label="Last run">{formatDateTime(lastRun(workflow))}</Stat>
      <Stat label="Updated">{formatDateTime(workflow.updated_at)}</Stat>
    </dl>
  );
}
