// The workflows list's state lives in the address (?q=&status=&tag=&sort=&page=&size=), so back,
// forward, reload and shared links keep it. These are pure conversions, tested on their own.
import type { operations } from '@stepwise/api-types';
import type { WorkflowStatus } from '../../../lib/schemas';

export type ListQuery = NonNullable<operations['listWorkflows']['parameters']['query']>;
export type SortKey = NonNullable<ListQuery['sort']>;
export type SortField = 'name' | 'updated_at' | 'created_at' | 'success_rate' | 'total_uses';

export const STATUSES: readonly WorkflowStatus[] = ['needs_review', 'processing', 'active', 'broken', 'draft', 'archived'];
export const PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_SORT: SortKey = '-updated_at';
const SORTS: readonly SortKey[] = ['updated_at', '-updated_at', 'created_at', '-created_at', 'name', '-name', 'success_rate', '-success_rate', 'total_uses', '-total_uses'];

export interface ListParams {
  q: string;
  status: WorkflowStatus | '';
  tag: string;
  sort: SortKey;
  /** 1-based. */
  page: number;
  size: (typeof PAGE_SIZES)[number];
}

export const DEFAULT_PARAMS: ListParams = { q: '', status: '', tag: '', sort: DEFAULT_SORT, page: 1, size: 25 };

export function paramsFromSearch(search: URLSearchParams): ListParams {
  const status = search.get('status') ?? '';
  const sort = search.get('sort') ?? '';
  const page = Number(search.get('page'));
  const size = Number(search.get('size'));
  return {
    q: (search.get('q') ?? '').slice(0, 200),
    status: (STATUSES as readonly string[]).includes(status) ? (status as WorkflowStatus) : '',
    tag: (search.get('tag') ?? '').slice(0, 64),
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as SortKey) : DEFAULT_SORT,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    size: (PAGE_SIZES as readonly number[]).includes(size) ? (size as ListParams['size']) : DEFAULT_PARAMS.size,
  };
}

/** Only what differs from the defaults, so the plain list has a plain address. */
export function searchFromParams(p: ListParams): URLSearchParams {
  const out = new URLSearchParams();
  if (p.q.trim()) out.set('q', p.q);
  if (p.status) out.set('status', p.status);
  if (p.tag.trim()) out.set('tag', p.tag.trim());
  if (p.sort !== DEFAULT_SORT) out.set('sort', p.sort);
  if (p.page > 1) out.set('page', String(p.page));
  if (p.size !== DEFAULT_PARAMS.size) out.set('size', String(p.size));
  return out;
}

/** The API query for a page of the list. */
export function toQuery(p: ListParams): ListQuery {
  const query: ListQuery = { limit: p.size, offset: (p.page - 1) * p.size, sort: p.sort };
  const q = p.q.trim();
  if (q) query.q = q;
  if (p.status) query.status = p.status;
  const tag = p.tag.trim();
  if (tag) query.tag = tag;
  return query;
}

export function hasFilters(p: ListParams): boolean {
  return p.q.trim() !== '' || p.status !== '' || p.tag.trim() !== '';
}

export function sortField(sort: SortKey): SortField {
  return sort.replace(/^-/, '') as SortField;
}

export function sortDescending(sort: SortKey): boolean {
  return sort.startsWith('-');
}

/**
 * Clicking a column header: the same column flips direction; a new column starts with the order
 * people expect (names A→Z, numbers and dates highest first).
 */
export function nextSort(current: SortKey, field: SortField): SortKey {
  if (sortField(current) === field) return (sortDescending(current) ? field : `-${field}`) as SortKey;
  return (field === 'name' ? field : `-${field}`) as SortKey;
}

/** A change of filter or sort goes back to the first page. */
export function withChange(p: ListParams, patch: Partial<ListParams>): ListParams {
  const resetsPage = ['q', 'status', 'tag', 'sort', 'size'].some((k) => k in patch);
  return { ...p, ...patch, ...(resetsPage && !('page' in patch) ? { page: 1 } : {}) };
}
