// Words for heal votes, shared by the review page (a step's selector variants) and the heal review
// queue (a candidate's votes): both say who confirmed or rejected a healed element the same way.
import type { HealVote } from './schemas';

/** A voter as people read them; an account deleted since has no name. */
export function voterName(v: Pick<HealVote, 'user_name' | 'admin'>): string {
  const name = v.user_name?.trim() || 'a former colleague';
  return v.admin ? `${name} (admin)` : name;
}

/** `Ada`, `Ada, Bob`, … and past `max` names `Ada, Bob, Cy, Dan and 3 others`. */
export function listNames(names: readonly string[], max = 4): string {
  if (names.length <= max) return names.join(', ');
  const rest = names.length - max;
  return `${names.slice(0, max).join(', ')} and ${rest} ${rest === 1 ? 'other' : 'others'}`;
}

/** Distinct voters of one kind, in the order they voted (a user voting on several page states counts once). */
export function voters(votes: readonly HealVote[], kind: HealVote['vote']): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of [...votes].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))) {
    if (v.vote !== kind) continue;
    const key = v.user_id !== null ? `id:${v.user_id}` : `name:${v.user_name ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(voterName(v));
  }
  return out;
}

/** `Confirmed by Ada, Bob · rejected by Cy`; null when nobody voted. */
export function voteSummary(votes: readonly HealVote[]): string | null {
  const confirmed = voters(votes, 'confirm');
  const rejected = voters(votes, 'reject');
  const parts: string[] = [];
  if (confirmed.length > 0) parts.push(`Confirmed by ${listNames(confirmed)}`);
  if (rejected.length > 0) parts.push(`${parts.length > 0 ? 'rejected' : 'Rejected'} by ${listNames(rejected)}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** The admin whose approval made a variant shared (the latest `approved` vote), or null. */
export function approverOf(votes: readonly HealVote[]): string | null {
  const approvals = votes.filter((v) => v.how === 'approved').sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  const latest = approvals[0];
  return latest ? latest.user_name?.trim() || null : null;
}

/** How a vote was given, in words. */
export const VOTE_HOW: Record<HealVote['how'], string> = {
  asked: 'answered the walkthrough’s question',
  acted: 'used the element',
  approved: 'approved it',
};

/** A page-state hash is long and meaningless to people: its first 8 characters tell states apart. */
export function shortHash(hash: string | null | undefined): string | null {
  if (!hash) return null;
  const bare = hash.replace(/^[a-z0-9]+:/i, '');
  return bare.slice(0, 8);
}
