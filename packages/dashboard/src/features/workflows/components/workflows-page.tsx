import { type ReactNode, useCallback, useEffect, useId, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState, Spinner } from '../../../components/ui/spinner';
import { useLiveEvent } from '../../../lib/event-stream';
import { useAsync } from '../../../lib/use-async';
import { STATUS_LABELS } from '../../../lib/workflow-format';
import { useAuthStore } from '../../../stores/auth-store';
import {
  type ListParams,
  PAGE_SIZES,
  STATUSES,
  type SortKey,
  hasFilters,
  nextSort,
  paramsFromSearch,
  searchFromParams,
  toQuery,
  withChange,
} from '../api/list-params';
import { listWorkflows } from '../api/workflows-api';
import { ImportButton } from './import-button';
import { RecordFirstWorkflow } from './record-first-workflow';
import { WorkflowTable } from './workflow-table';

const SORT_LABELS: Record<SortKey, string> = {
  '-updated_at': 'Recently updated',
  updated_at: 'Least recently updated',
  '-created_at': 'Newest first',
  created_at: 'Oldest first',
  name: 'Name A–Z',
  '-name': 'Name Z–A',
  '-success_rate': 'Highest success rate',
  success_rate: 'Lowest success rate',
  '-total_uses': 'Most used',
  total_uses: 'Least used',
};

const control =
  'rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-200';

function Field({ label, children, id }: { label: string; children: ReactNode; id: string }) {
  return (
    <div className="flex flex-col">
      <label htmlFor={id} className="text-xs font-medium text-slate-700">
        {label}
      </label>
      <div className="mt-1">{children}</div>
    </div>
  );
}

/** Every workflow of the company: search, filter, sort, page through, open one to review. */
export function WorkflowsPage() {
  const isAdmin = useAuthStore((s) => s.me?.role === 'admin');
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => paramsFromSearch(search), [search]);
  const queryKey = searchFromParams(params).toString();
  const ids = { q: useId(), status: useId(), tag: useId(), sort: useId(), size: useId() };

  // The search box and tag field update the address a moment after typing stops.
  const [q, setQ] = useState(params.q);
  const [tag, setTag] = useState(params.tag);
  useEffect(() => setQ(params.q), [params.q]);
  useEffect(() => setTag(params.tag), [params.tag]);

  // Built from the address of this render: a change that lands while a typed value waits starts
  // the wait again from the new address instead of writing the old one back.
  const update = useCallback(
    (patch: Partial<ListParams>) => setSearch(searchFromParams(withChange(params, patch)), { replace: !('page' in patch) }),
    [params, setSearch],
  );

  useEffect(() => {
    if (q === params.q && tag === params.tag) return;
    const t = setTimeout(() => update({ q, tag }), 300);
    return () => clearTimeout(t);
  }, [q, tag, params.q, params.tag, update]);

  useEffect(() => {
    document.title = 'Workflows · Stepwise';
  }, []);

  const page = useAsync((signal) => listWorkflows(toQuery(params), signal), [queryKey]);
  // A status changing elsewhere (labeling done, a workflow breaking) refreshes the page shown,
  // once per burst of events.
  const [stale, setStale] = useState(0);
  useLiveEvent('workflow_status', () => setStale((n) => n + 1));
  useEffect(() => {
    if (stale === 0) return;
    const t = setTimeout(page.reload, 500);
    return () => clearTimeout(t);
  }, [stale, page.reload]);

  const total = page.data?.meta.total ?? 0;
  const first = total === 0 ? 0 : (params.page - 1) * params.size + 1;
  const last = Math.min(total, params.page * params.size);
  const pages = Math.max(1, Math.ceil(total / params.size));
  const filtered = hasFilters(params);

  // A page past the end (after deletes, or an edited address) goes to the last page.
  useEffect(() => {
    if (page.status === 'success' && total > 0 && params.page > pages) update({ page: pages });
  }, [page.status, total, params.page, pages, update]);

  let body: ReactNode;
  if (page.status === 'error' && !page.data) {
    body = <ErrorState error={page.error} title="Workflows could not be loaded" onRetry={page.reload} />;
  } else if (!page.data) {
    body = <LoadingState label="Loading workflows…" />;
  } else if (page.data.items.length === 0 && !filtered && params.page === 1) {
    body = <RecordFirstWorkflow isAdmin={isAdmin} />;
  } else if (page.data.items.length === 0) {
    body = (
      <EmptyState title="No workflows match">
        <p>Try other words or fewer filters.</p>
        <Button variant="secondary" size="sm" className="mt-3" onClick={() => setSearch(new URLSearchParams())}>
          Clear search and filters
        </Button>
      </EmptyState>
    );
  } else {
    body = (
      <div className="relative" aria-busy={page.status === 'loading'}>
        {page.status === 'error' && <ErrorState error={page.error} title="The list could not be refreshed" onRetry={page.reload} />}
        <WorkflowTable
          items={page.data.items}
          sort={params.sort}
          onSort={(field) => update({ sort: nextSort(params.sort, field) })}
          caption={`Workflows, ${first} to ${last} of ${total}`}
        />
      </div>
    );
  }

  return (
    <div className="space-y-6">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold text-slate-900">Workflows</h1>
          <p className="mt-1 text-sm text-slate-600">
            {isAdmin ? 'Review what was recorded, publish it, and watch how it performs.' : 'The guides published for your company.'}
          </p>
        </div>
        <div className="flex items-center gap-3">{isAdmin && <ImportButton onImported={() => (params.page === 1 && !filtered && params.sort === '-updated_at' ? page.reload() : setSearch(new URLSearchParams()))} />}</div>
      </div>

      <form role="search" aria-label="Workflows" className="flex flex-wrap items-end gap-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" onSubmit={(e) => e.preventDefault()}>
        <div className="min-w-[18rem] flex-1">
          <Field label="Search" id={ids.q}>
            <input id={ids.q} type="search" value={q} maxLength={200} placeholder="Name or description" onChange={(e) => setQ(e.target.value)} className={`${control} w-full`} />
          </Field>
        </div>
        {isAdmin && (
          <Field label="Status" id={ids.status}>
            <select id={ids.status} value={params.status} onChange={(e) => update({ status: e.target.value as ListParams['status'] })} className={control}>
              <option value="">All but archived</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field label="Tag" id={ids.tag}>
          <input id={ids.tag} type="text" value={tag} maxLength={64} placeholder="Any tag" onChange={(e) => setTag(e.target.value)} className={`${control} w-40`} />
        </Field>
        <Field label="Sort by" id={ids.sort}>
          <select id={ids.sort} value={params.sort} onChange={(e) => update({ sort: e.target.value as SortKey })} className={control}>
            {Object.entries(SORT_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        {filtered && (
          <Button variant="ghost" onClick={() => setSearch(new URLSearchParams())}>
            Clear filters
          </Button>
        )}
        <div className="ml-auto flex h-9 items-center" aria-live="polite">
          {page.status === 'loading' && page.data && (
            <span className="flex items-center gap-2 text-sm text-slate-600">
              <Spinner size="sm" /> Updating…
            </span>
          )}
        </div>
      </form>

      {body}

      {page.data && total > 0 && (
        <nav aria-label="Workflow pages" className="flex items-center justify-between text-sm text-slate-700">
          <p>
            Showing <span className="font-medium">{first}</span>–<span className="font-medium">{last}</span> of <span className="font-medium">{total}</span>
          </p>
          <div className="flex items-center gap-3">
            <label htmlFor={ids.size} className="text-slate-700">
              Per page
            </label>
            <select id={ids.size} value={params.size} onChange={(e) => update({ size: Number(e.target.value) as ListParams['size'] })} className={`${control} py-1.5`}>
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
            <span>
              Page {Math.min(params.page, pages)} of {pages}
            </span>
            <Button variant="secondary" size="sm" disabled={params.page <= 1} onClick={() => update({ page: params.page - 1 })}>
              Previous
            </Button>
            <Button variant="secondary" size="sm" disabled={params.page >= pages} onClick={() => update({ page: params.page + 1 })}>
              Next
            </Button>
          </div>
        </nav>
      )}
    </div>
  );
}

