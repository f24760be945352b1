// The walkthrough's cards for a step whose element it cannot put under the spotlight: not on the
// page ("Can't find"), on the page but hidden with nothing known to open it, or hidden behind an
// opener (a closed menu, tab or section) that the card points at. Pure: the words, and what Skip
// reports from them, tested without a browser.
//
// "Can't find" and "hidden" are one kind of card: the same warning tone, Skip as the primary button
// (the way on), the same "Report it to my admin" box (checked for anyone but an admin, who fixes
// the guide themselves), Exit. The opener card is a step like any other: the opener is spotlighted.
import type { Opener } from '@stepwise/guide-core';
import type { StepReport } from '../shared/messages';
import type { RunState } from '../shared/types';

export const REPORT_LABEL = 'Report it to my admin';

/** Whether "Report it to my admin" starts checked: not for an admin (nor asked of one). */
export function reportsByDefault(me: RunState['me']): boolean {
  return me?.role !== 'admin';
}

/**
 * What Skip sends for a step whose element could not be reached: with the box checked, the failure
 * (the service worker counts the step as not found, and the run's end tells the admin's health
 * page); without it, a plain skip.
 */
export function skipReport(failure: StepReport, report: boolean): StepReport {
  if (report) return { ...failure, status: 'failed', result: 'skipped', error_type: 'element_not_found' };
  return { ...failure, status: 'skipped', result: 'skipped', error_type: null, error_message: null };
}

export function notFoundView(name: string): { title: string; body: string } {
  return {
    title: 'Can’t find this element',
    body: `“${name}” could not be found on this page — the app may have changed. Skip this step to go on.`,
  };
}

/** Hidden, and nothing found that opens it (or opening it did not show it). */
export function hiddenView(name: string): { title: string; body: string } {
  return {
    title: 'It’s on this page, but hidden',
    body: `“${name}” is on this page but not shown — it may be in a closed menu, tab or section. Open it and press Try again, or skip this step.`,
  };
}

/** Where a hidden element is, as the opener says: "in the “Advanced” tab". */
function whereOf(o: Opener): string {
  const name = o.name.trim();
  if (!name) return 'in a closed menu, tab or section';
  if (o.how === 'tab') return `in the “${name}” tab`;
  if (o.how === 'summary') return `in the collapsed “${name}” section`;
  if (o.how === 'popup') return `in the “${name}” menu`;
  return `behind “${name}”`;
}

/** The card of a hidden element's opener: says it is hidden and where; the opener is spotlighted. */
export function openerView(o: Opener, name: string): { title: string; body: string } {
  const opener = o.name.trim();
  const title = !opener ? 'Open the highlighted control first' : o.how === 'tab' ? `Open the “${opener}” tab first` : o.how === 'summary' ? `Expand “${opener}” first` : `Open “${opener}” first`;
  return { title, body: `“${name}” is on this page, but hidden ${whereOf(o)}. Open it (highlighted) to go on.` };
}
