import { Link } from 'react-router-dom';
import { CopyGuideLink } from '../../../components/copy-guide-link';
import { CheckStatusBadge } from '../../../components/ui/check-status-badge';
import { StatusBadge } from '../../../components/ui/status-badge';
import { cn } from '../../../lib/cn';
import { formatDateTime } from '../../../lib/format';
import type { Workflow } from '../../../lib/schemas';
import { formatRate, lastRun } from '../../../lib/workflow-format';
import { type SortField, type SortKey, sortDescending, sortField } from '../api/list-params';

const th = 'px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-600';

function SortHeader({ field, label, sort, onSort, className }: { field: SortField; label: string; sort: SortKey; onSort: (f: SortField) => void; className?: string }) {
  const active = sortField(sort) === field;
  const desc = sortDescending(sort);
  return (
    <th scope="col" className={cn(th, className)} aria-sort={active ? (desc ? 'descending' : 'ascending') : 'none'}>
      <button
        type="button"
        onClick={() => onSort(field)}
        className="inline-flex items-center gap-1 rounded uppercase tracking-wide hover:text-slate-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        {label}
        <span aria-hidden="true" className={active ? 'text-indigo-700' : 'text-slate-400'}>
          {active ? (desc ? '↓' : '↑') : '↕'}
        </span>
        <span className="sr-only">{active ? (desc ? ', sorted descending' : ', sorted ascending') : ', sort'}</span>
      </button>
    </th>
  );
}

function RateCell({ w }: { w: Workflow }) {
  if (w.total_uses === 0) return <span className="text-slate-500">—</span>;
  const pct = Math.round(w.success_rate * 100);
  const tone = pct >= 90 ? 'bg-emerald-500' : pct >= 70 ? 'bg-amber-500' : 'bg-red-500';
  return (
    <div className="flex items-center gap-2">
      <span className="w-10 text-right tabular-nums text-slate-900">{formatRate(w.success_rate, w.total_uses)}</span>
      <span className="h-1.5 w-16 overflow-hidden rounded-full bg-slate-200" aria-hidden="true">
        <span className={cn('block h-full', tone)} style={{ width: `${pct}%` }} />
      </span>
    </div>
  );
}

export function WorkflowTable({ items, sort, onSort, caption }: { items: Workflow[]; sort: SortKey; onSort: (f: SortField) => void; caption: string }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50">
          <tr>
            <SortHeader field="name" label="Name" sort={sort} onSort={onSort} className="w-[32%]" />
            <th scope="col" className={th}>
              Status
            </th>
            <SortHeader field="success_rate" label="Success" sort={sort} onSort={onSort} />
            <SortHeader field="total_uses" label="Uses" sort={sort} onSort={onSort} />
            <th scope="col" className={th}>
              Last run
            </th>
            <th scope="col" className={cn(th, 'text-right')}>
              Steps
            </th>
            <th scope="col" className={th}>
              Tags
            </th>
            <SortHeader field="updated_at" label="Updated" sort={sort} onSort={onSort} />
            <th scope="col" className={th}>
              <span className="sr-only">Share</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {items.map((w) => (
            <tr key={w.id} data-testid={`workflow-row-${w.id}`} className="hover:bg-slate-50">
              <td className="max-w-0 px-4 py-3">
                <Link
                  to={`/workflows/${w.id}`}
                  className="block truncate font-medium text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
                  title={w.name}
                >
                  {w.name}
                </Link>
                <p className="truncate text-xs text-slate-600" title={w.starting_url}>
                  {w.description || w.starting_url}
                </p>
              </td>
              <td className="px-4 py-3">
                <div className="flex flex-wrap items-center gap-1">
                  <StatusBadge status={w.status} />
                  <CheckStatusBadge status={w.check_status} problemsOnly />
                </div>
              </td>
              <td className="px-4 py-3">
                <RateCell w={w} />
              </td>
              <td className="px-4 py-3 tabular-nums text-slate-800">{w.total_uses.toLocaleString('en-GB')}</td>
              <td className="whitespace-nowrap px-4 py-3 text-slate-700">{formatDateTime(lastRun(w))}</td>
              <td className="px-4 py-3 text-right tabular-nums text-slate-800">{w.step_count}</td>
              <td className="px-4 py-3">
                <ul className="flex max-w-[14rem] flex-wrap gap-1" aria-label={`Tags of ${w.name}`}>
                  {w.tags.map((t) => (
                    <li key={t} className="max-w-[10rem] truncate rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700" title={t}>
                      {t}
                    </li>
                  ))}
                </ul>
              </td>
              <td className="whitespace-nowrap px-4 py-3 text-slate-700">{formatDateTime(w.updated_at)}</td>
              <td className="whitespace-nowrap px-4 py-3 text-right">{w.status === 'active' && <CopyGuideLink workflowId={w.id} workflowName={w.name} size="sm" />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
