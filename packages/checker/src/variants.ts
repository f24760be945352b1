// Which of a step's selector variants a check may use, in which order: the extension's
// planVariants (packages/extension/src/shared/variants.ts) for a walker who is nobody in
// particular. A check has no user whose pending variants or refusals count, so:
//   1. variants shared for the page state seen (a heal found them there);
//   2. the preferred variant (an admin approved it);
//   3. the recorded selectors;
//   4. the other shared variants.
// Pending variants are never used (a check asks nobody about them) and rejected ones never proposed.
import type { CheckStep, SelectorVariant } from './protocol.js';

/** What guide-core's locate takes as one variant (its LocateVariant). */
export interface Variant {
  selectors: CheckStep['selectors'];
  element_meta: CheckStep['element_meta'] | null;
}

export interface VariantPlan {
  variants: Variant[];
  /** Selectors of rejected variants: never proposed as heal candidates. */
  rejected: string[];
}

function toVariant(v: SelectorVariant): Variant {
  return { selectors: v.selectors, element_meta: v.element_meta ?? null };
}

function confirmedOn(v: SelectorVariant, pageState: string): boolean {
  if (!pageState) return false;
  return v.page_state_hash === pageState || (v.votes ?? []).some((x) => x.vote === 'confirm' && x.page_state_hash === pageState);
}

export function planVariants(step: Pick<CheckStep, 'selectors' | 'selector_variants'>, pageState: string): VariantPlan {
  const list = step.selector_variants ?? [];
  const recorded: Variant = { selectors: step.selectors, element_meta: null };
  if (!list.length) return { variants: [recorded], rejected: [] };
  const rejected: string[] = [];
  const usable: { v: SelectorVariant; rank: number; order: number }[] = [];
  list.forEach((v, order) => {
    if (v.status === 'rejected') {
      const key = v.selectors.primary ?? null;
      if (key && v.source !== 'recorded') rejected.push(key);
      return;
    }
    if (v.status === 'pending') return;
    const rank = confirmedOn(v, pageState) && v.source !== 'recorded' ? 0 : v.preferred ? 1 : v.source === 'recorded' ? 2 : 3;
    usable.push({ v, rank, order });
  });
  usable.sort((a, b) => a.rank - b.rank || a.order - b.order);
  const variants = usable.map((u) => toVariant(u.v));
  if (!variants.length) variants.push(recorded);
  return { variants, rejected };
}
