// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Opener } from '@stepwise/guide-core';
import type { StepReport } from '../shared/messages';
import { hiddenView, notFoundView, openerView, REPORT_LABEL, reportsByDefault, skipReport } from './cards';
import { Overlay } from './overlay.content';

const failure: StepReport = {
  status: 'failed',
  result: 'failed',
  error_type: 'element_not_found',
  error_message: 'No element matched (not_found)',
  page_url: 'https://app.test/invoices',
  execution_time_ms: 812,
};

describe("the Can't find and hidden cards", () => {
  it('report by default for anyone but an admin (a run from before roles were kept too)', () => {
    expect(reportsByDefault({ id: 2, role: 'regular' })).toBe(true);
    expect(reportsByDefault(null)).toBe(true);
    expect(reportsByDefault(undefined)).toBe(true);
    expect(reportsByDefault({ id: 1, role: 'admin' })).toBe(false);
  });

  it('Skip with the box checked sends the failure; unchecked, a plain skip', () => {
    expect(skipReport(failure, true)).toEqual({ ...failure, status: 'failed', result: 'skipped', error_type: 'element_not_found' });
    // A hidden element's report starts as the search's (status success): Skip makes it the failure.
    expect(skipReport({ ...failure, status: 'success', result: 'success', error_type: null }, true)).toMatchObject({ status: 'failed', result: 'skipped', error_type: 'element_not_found' });
    const plain = skipReport(failure, false);
    expect(plain).toMatchObject({ status: 'skipped', result: 'skipped', error_type: null, error_message: null, page_url: failure.page_url, execution_time_ms: 812 });
  });

  it('say what is wrong and how to go on', () => {
    expect(notFoundView('Add note')).toEqual({ title: 'Can’t find this element', body: '“Add note” could not be found on this page — the app may have changed. Skip this step to go on.' });
    expect(hiddenView('Export')).toMatchObject({ title: 'It’s on this page, but hidden' });
    expect(hiddenView('Export').body).toMatch(/Try again, or skip this step/);
  });

  it('the opener card says the element is hidden, and where', () => {
    const el = document.createElement('button');
    const o = (how: Opener['how'], name: string): Opener => ({ element: el, how, name });
    expect(openerView(o('tab', 'Advanced'), 'Export PDF')).toEqual({
      title: 'Open the “Advanced” tab first',
      body: '“Export PDF” is on this page, but hidden in the “Advanced” tab. Open it (highlighted) to go on.',
    });
    expect(openerView(o('summary', 'Billing'), 'Card number').body).toContain('hidden in the collapsed “Billing” section');
    expect(openerView(o('popup', 'More'), 'Archive')).toMatchObject({ title: 'Open “More” first' });
    expect(openerView(o('popup', 'More'), 'Archive').body).toContain('hidden in the “More” menu');
    expect(openerView(o('controls', 'Filters'), 'Status').body).toContain('hidden behind “Filters”');
    expect(openerView(o('toggle', '  '), 'Status')).toEqual({
      title: 'Open the highlighted control first',
      body: '“Status” is on this page, but hidden in a closed menu, tab or section. Open it (highlighted) to go on.',
    });
  });
});

describe('the overlay card with a checkbox', () => {
  afterEach(() => {
    document.documentElement.querySelectorAll('stepwise-guide').forEach((e) => e.remove());
  });

  it('shows the box in the closed root, tells its changes, and leaves it out of cards without one', () => {
    const overlay = new Overlay(document);
    const onChange = vi.fn();
    const skip = vi.fn();
    overlay.show({
      target: null,
      ...notFoundView('<img src=x onerror=alert(1)>'),
      index: 5,
      total: 7,
      tone: 'warning',
      option: { label: REPORT_LABEL, checked: true, onChange },
      buttons: [
        { label: 'Skip', primary: true, onClick: skip },
        { label: 'Exit', onClick: () => {} },
      ],
    });
    expect(overlay.host.shadowRoot).toBeNull(); // closed
    let snap = overlay.snapshot();
    expect(snap.option).toEqual({ label: 'Report it to my admin', checked: true });
    expect(snap.buttons).toEqual(['Skip', 'Exit']);
    expect(snap.primary).toBe('Skip');
    // Text from the page or the server is text: no element was made of it.
    expect(snap.body).toContain('“<img src=x onerror=alert(1)>”');
    expect(document.querySelector('img')).toBeNull();

    expect(overlay.toggleOption()).toBe(true);
    expect(onChange).toHaveBeenLastCalledWith(false);
    expect(overlay.snapshot().option?.checked).toBe(false);
    overlay.press('Skip');
    expect(skip).toHaveBeenCalledTimes(1);

    overlay.show({ target: null, title: 'Next', body: 'Go on', index: 6, total: 7, buttons: [{ label: 'Skip', onClick: () => {} }] });
    snap = overlay.snapshot();
    expect(snap.option).toBeNull();
    expect(snap.primary).toBeNull();
    expect(overlay.toggleOption()).toBe(false);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('a card shown again starts from its own state, not the last card’s', () => {
    const overlay = new Overlay(document);
    overlay.show({ target: null, title: 'A', body: '', index: 0, total: 2, option: { label: REPORT_LABEL, checked: true, onChange: () => {} }, buttons: [] });
    overlay.toggleOption();
    overlay.show({ target: null, title: 'B', body: '', index: 1, total: 2, option: { label: REPORT_LABEL, checked: false, onChange: () => {} }, buttons: [] });
    expect(overlay.snapshot().option).toEqual({ label: REPORT_LABEL, checked: false });
    overlay.show({ target: null, title: 'C', body: '', index: 1, total: 2, option: { label: REPORT_LABEL, checked: true, onChange: () => {} }, buttons: [] });
    expect(overlay.snapshot().option?.checked).toBe(true);
  });
});
