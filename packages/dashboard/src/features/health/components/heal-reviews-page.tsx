import { type ReactNode, useEffect, useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState } from '../../../components/ui/spinner';
import { toApiError } from '../../../lib/api-error';
import { cn } from '../../../lib/cn';
import { formatDateTime } from '../../../lib/format';
import { VOTE_HOW, approverOf, voterName, voters } from '../../../lib/heal-format';
import type { HealReview, HealVote } from '../../../lib/schemas';
import { useAsync } from '../../../lib/use-async';
import { useAuthStore } from '../../../stores/auth-store';
import { toast } from '../../../stores/toast-store';
import { type ReviewStatus, approveHealReview, listHealReviews, rejectHealReview } from '../api/health-api';
import { ElementCrop } from './element-crop';

const PAGE = 20;
const METHODS: Record<string, string> = { ai_assisted: 'Chosen with AI', deterministic: 'Chosen by score', cached: 'Decided before' };
const TABS: { status: ReviewStatus; label: string }[] = [
  { status: 'pending', label: 'Waiting' },
  { status: 'approved', label: 'Approved' },
  { status: 'rejected', label: 'Rejected' },
];

function Selector({ label, value }: { label: string; value: string | null }) {
  return (
    <div className="grid grid-cols-[7rem_1fr] gap-2 text-sm">
      <dt className="text-slate-600">{label}</dt>
      <dd className="break-all font-mono text-xs text-slate-900">{value ?? '—'}</dd>
    </div>
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Who decided a review, in words: `Confirmed by 2 colleagues` when their votes made it shared,
 * `Approved by Ada` when an admin did (the admin's name from their approval vote, or "you").
 * Null while it waits.
 */
export function resolutionText(r: Pick<HealReview, 'status' | 'resolution' | 'votes' | 'decided_by'>, me?: { id: number } | null): string | null {
  if (r.status === 'pending') return null;
  const votes = r.votes ?? [];
  const approved = r.status === 'approved';
  if (r.resolution === 'votes') {
    const n = voters(votes, approved ? 'confirm' : 'reject').length;
    const verb = approved ? 'Confirmed' : 'Rejected';
    return n > 0 ? `${verb} by ${plural(n, 'colleague', 'colleagues')}` : `${verb} by colleagues`;
  }
  const adminVotes = votes.filter((v) => v.admin && v.vote === (approved ? 'confirm' : 'reject'));
  const name = (approved ? approverOf(votes) : null) || adminVotes.at(-1)?.user_name?.trim() || (me && r.decided_by === me.id ? 'you' : null);
  const verb = approved ? 'Approved' : 'Rejected';
  return name ? `${verb} by ${name}` : verb;
}

function VoteList({ votes }: { votes: readonly HealVote[] }) {
  if (votes.length === 0) return <p className="text-sm text-slate-600">No colleague has confirmed or rejected it yet.</p>;
  const sorted = [...votes].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  return (
    <ul className="space-y-1 text-sm">
      {sorted.map((v, i) => (
        <li key={`${v.user_id ?? 'x'}-${v.created_at}-${i}`} className="flex flex-wrap items-baseline gap-x-2">
          <span className={v.vote === 'confirm' ? 'font-medium text-emerald-800' : 'font-medium text-red-800'} aria-hidden="true">
            {v.vote === 'confirm' ? '✓' : '✗'}
          </span>
          <span className="text-slate-900">
            <span className="font-medium">{voterName(v)}</span> {v.how === 'approved' ? (v.vote === 'confirm' ? 'approved' : 'rejected') : v.vote === 'confirm' ? 'confirmed' : 'rejected'} it
          </span>
          <span className="text-xs text-slate-600">
            {v.how === 'approved' ? '' : `${VOTE_HOW[v.how] ?? v.how} · `}
            <time dateTime={v.created_at}>{formatDateTime(v.created_at)}</time>
          </span>
        </li>
      ))}
    </ul>
  );
}

function ReviewCard({ r, onDecided }: { r: HealReview; onDecided: (r: HealReview) => void }) {
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);
  const me = useAuthStore((s) => s.me);
  const explainId = useId();
  const votes = r.votes ?? [];
  const confirmations = voters(votes, 'confirm').length;
  const rejections = voters(votes, 'reject').length;
  const decide = async (what: 'approve' | 'reject') => {
    setBusy(what);
    try {
      const decided = await (what === 'approve' ? approveHealReview(r.id) : rejectHealReview(r.id));
      toast.success(what === 'approve' ? `Step ${r.step_number} now prefers the healed element` : `Step ${r.step_number} keeps its selectors`, what === 'approve' ? 'Its recorded selectors stay as a fallback.' : 'The candidate is not proposed again on this page.');
      onDecided(decided);
    } catch (e) {
      const error = toApiError(e);
      if (error.status === 409) {
        toast.info('Already decided', 'Another admin decided this heal first.');
        onDecided({ ...r, status: 'approved' });
      } else toast.error({ title: 'The decision was not saved', message: error.userMessage, ...(error.requestId ? { requestId: error.requestId } : {}) });
    } finally {
      setBusy(null);
    }
  };
  const title = `${r.workflow_name}, step ${r.step_number}`;
  return (
    <li aria-label={title} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid={`heal-review-${r.id}`}>
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-base font-semibold text-slate-900">
          <Link to={`/workflows/${r.workflow_id}`} className="text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
            {r.workflow_name}
          </Link>
          <span className="text-slate-700"> · step {r.step_number}</span>
          {r.field_label && <span className="font-normal text-slate-700"> “{r.field_label}”</span>}
        </h2>
        <Badge tone={r.confidence >= 0.7 ? 'indigo' : 'amber'}>{Math.round(r.confidence * 100)}% sure</Badge>
        <Badge tone="slate">{METHODS[r.method] ?? r.method}</Badge>
        <span className="ml-auto text-xs text-slate-600">{formatDateTime(r.created_at)}</span>
      </div>
      <div className="mt-4 flex flex-wrap gap-6">
        <ElementCrop url={r.recorded_screenshot_url} box={r.recorded_box} label="Recorded: the element when the workflow was recorded" tone="slate" />
        <ElementCrop url={r.current_screenshot_url} box={r.candidate_box} label="Candidate: what the walkthrough found instead" tone="indigo" />
      </div>
      <dl className="mt-4 space-y-1">
        <Selector label="Old selector" value={r.previous_selector} />
        <Selector label="New selector" value={r.selector} />
        {r.page_url && <Selector label="Page" value={r.page_url} />}
      </dl>
      <section aria-label={`Colleagues’ answers about ${title}`} className="mt-4">
        <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">
          Colleagues’ answers
          {votes.length > 0 && (
            <span className="ml-2 font-normal normal-case tracking-normal text-slate-600">
              {[confirmations > 0 ? plural(confirmations, 'confirmation', 'confirmations') : null, rejections > 0 ? plural(rejections, 'rejection', 'rejections') : null]
                .filter(Boolean)
                .join(' · ')}
            </span>
          )}
        </h3>
        <VoteList votes={votes} />
      </section>
      {r.status === 'pending' ? (
        <div className="mt-4 flex flex-wrap items-center gap-3">
          <Button
            busy={busy === 'approve'}
            disabled={busy !== null}
            onClick={() => void decide('approve')}
            aria-label={`Approve the heal of ${title}`}
            aria-describedby={explainId}
          >
            Approve as preferred
          </Button>
          <Button variant="secondary" busy={busy === 'reject'} disabled={busy !== null} onClick={() => void decide('reject')} aria-label={`Reject the heal of ${title}`}>
            Reject
          </Button>
          <p id={explainId} className="min-w-0 flex-1 text-xs text-slate-600">
            Approving makes the candidate the step’s preferred way to find the element, for everyone; the recorded selectors stay as a fallback.
          </p>
        </div>
      ) : (
        <p className="mt-4 text-sm text-slate-700" data-testid={`heal-review-resolution-${r.id}`}>
          <span className="font-medium">{resolutionText(r, me)}</span>
          {r.decided_at ? ` · ${formatDateTime(r.decided_at)}` : ''}
        </p>
      )}
    </li>
  );
}

/** Heals the walkthrough used once but was not sure enough to keep: an admin decides. */
export function HealReviewsPage() {
  const [search, setSearch] = useSearchParams();
  const status = (TABS.find((t) => t.status === search.get('status'))?.status ?? 'pending') as ReviewStatus;
  const workflowId = Number(search.get('workflow_id')) || undefined;
  const [offset, setOffset] = useState(0);
  const page = useAsync((signal) => listHealReviews({ status, limit: PAGE, offset, ...(workflowId ? { workflow_id: workflowId } : {}) }, signal), [status, offset, workflowId]);

  useEffect(() => {
    document.title = 'Heal reviews · Stepwise';
  }, []);
  useEffect(() => setOffset(0), [status, workflowId]);

  const onDecided = (r: HealReview) => page.setData((d) => ({ ...d, items: d.items.filter((x) => x.id !== r.id), meta: { ...d.meta, total: Math.max(0, d.meta.total - 1) } }));

  let body: ReactNode;
  if (page.status === 'error' && !page.data) body = <ErrorState error={page.error} title="Heal reviews could not be loaded" onRetry={page.reload} />;
  else if (!page.data) body = <LoadingState label="Loading heal reviews…" />;
  else if (page.data.items.length === 0)
    body = (
      <EmptyState title={status === 'pending' ? 'Nothing waiting for review' : `No ${status} heals`}>
        {status === 'pending' ? 'When a walkthrough finds a moved element but is not sure enough to keep it, it waits here for your decision.' : null}
      </EmptyState>
    );
  else
    body = (
      <ul className="space-y-4">
        {page.data.items.map((r) => (
          <ReviewCard key={r.id} r={r} onDecided={onDecided} />
        ))}
      </ul>
    );

  const total = page.data?.meta.total ?? 0;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Heal reviews</h1>
        <p className="mt-1 text-sm text-slate-600">
          The recorded element beside the one a walkthrough found instead, with what colleagues answered when asked about it. Approve to make the candidate the step’s preferred selector (the recorded selectors stay); reject so it is never proposed again on that page.
          {workflowId && (
            <>
              {' '}
              Showing one workflow.{' '}
              <button type="button" className="font-medium text-indigo-700 hover:underline" onClick={() => setSearch(status === 'pending' ? {} : { status })}>
                Show all
              </button>
            </>
          )}
        </p>
      </div>
      <div role="tablist" aria-label="Heal review status" className="flex gap-1 border-b border-slate-200">
        {TABS.map((t) => (
          <button
            key={t.status}
            role="tab"
            type="button"
            aria-selected={t.status === status}
            onClick={() => setSearch({ ...(t.status === 'pending' ? {} : { status: t.status }), ...(workflowId ? { workflow_id: String(workflowId) } : {}) })}
            className={cn(
              '-mb-px border-b-2 px-4 py-2 text-sm font-medium focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600',
              t.status === status ? 'border-indigo-600 text-indigo-800' : 'border-transparent text-slate-600 hover:text-slate-900',
            )}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={TABS.find((t) => t.status === status)?.label}>
        {body}
      </div>
      {total > PAGE && (
        <nav aria-label="Heal review pages" className="flex items-center justify-between text-sm text-slate-700">
          <p>
            {offset + 1}–{Math.min(total, offset + PAGE)} of {total}
          </p>
          <div className="flex gap-2">
            <Button variant="secondary" size="sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              Previous
            </Button>
            <Button variant="secondary" size="sm" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
              Next
            </Button>
          </div>
        </nav>
      )}
    </div>
  );
}

export default HealReviewsPage;
