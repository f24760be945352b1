// Which of a step's selector variants a walkthrough may use, in which order, and which it may
// only ask about. Pure: the server's variants, who is walking, and the page state they see.
//   1. variants confirmed for this page state (shared, or pending and confirmed by this user);
//   2. the preferred variant (an admin approved it);
//   3. the recorded selectors;
//   4. the other shared variants, then this user's own pending ones.
// Colleagues' pending variants are never trusted: they are what the walkthrough asks about.
// Rejected variants, and selectors this user refused on this page state, are never used.
import type { LocateVariant } from '@stepwise/guide-core';
import type { GuideStep, SelectorVariantWire } from './types';

export interface Walker {
  id: number;
  role: 'admin' | 'regular';
}

export interface VariantPlan {
  variants: LocateVariant[];
  suggestions: LocateVariant[];
  /** Selectors refused on this page state (by this user): never proposed again here. */
  rejected: string[];
}

function toLocate(v: SelectorVariantWire): LocateVariant {
  return { selectors: v.selectors as LocateVariant['selectors'], element_meta: (v.element_meta ?? null) as LocateVariant['element_meta'] };
}

function confirmedBy(v: SelectorVariantWire, userId: number): boolean {
  return v.votes.some((x) => x.user_id === userId && x.vote === 'confirm');
}

function confirmedOn(v: SelectorVariantWire, pageState: string): boolean {
  if (!pageState) return false;
  return v.page_state_hash === pageState || v.votes.some((x) => x.vote === 'confirm' && x.page_state_hash === pageState);
}

export function planVariants(step: Pick<GuideStep, 'selectors' | 'selector_variants'>, me: Walker | null, pageState: string): VariantPlan {
  const list = step.selector_variants ?? [];
  if (!list.length) return { variants: [{ selectors: step.selectors as LocateVariant['selectors'], element_meta: null }], suggestions: [], rejected: [] };
  const rejected: string[] = [];
  const usable: { v: SelectorVariantWire; rank: number; order: number }[] = [];
  const suggestions: LocateVariant[] = [];
  list.forEach((v, order) => {
    const key = v.selectors.primary ?? null;
    const refusedHere = !!me && v.votes.some((x) => x.user_id === me.id && x.vote === 'reject' && x.page_state_hash === pageState);
    if (v.status === 'rejected' || refusedHere) {
      if (key && v.source !== 'recorded') rejected.push(key);
      return;
    }
    const mine = v.status === 'pending' && !!me && confirmedBy(v, me.id);
    if (v.status === 'pending' && !mine) {
      suggestions.push(toLocate(v));
      return;
    }
    const rank = confirmedOn(v, pageState) && v.source !== 'recorded' ? 0 : v.preferred ? 1 : v.source === 'recorded' ? 2 : v.status === 'shared' ? 3 : 4;
    usable.push({ v, rank, order });
  });
  usable.sort((a, b) => a.rank - b.rank || a.order - b.order);
  const variants = usable.map((u) => toLocate(u.v));
  if (!variants.length) variants.push({ selectors: step.selectors as LocateVariant['selectors'], element_meta: null });
  return { variants, suggestions, rejected };
}
