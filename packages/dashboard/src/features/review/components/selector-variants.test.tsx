import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Step } from '../../../lib/schemas';
import { installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeDetail, makeHealVote, makeMe, makeSelectorVariant, makeStep, recordedVariant } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';
import { methodLabel, variantsOf, variantsSummary } from './selector-variants';

const recordedSelectors = { primary: '#plan', css: 'select#plan', xpath: '//*[@id="plan"]', aria: 'aria/Plan[role="combobox"]' };

/** Step 1: recorded, one shared AI heal approved by Ada (preferred), one waiting, one rejected. */
function healedStep(): Step {
  return makeStep({
    step_number: 1,
    selectors: recordedSelectors,
    selector_variants: [
      recordedVariant(recordedSelectors),
      makeSelectorVariant({
        id: 501,
        status: 'shared',
        preferred: true,
        method: 'approved',
        confidence: 0.74,
        selectors: { primary: '#plan-select', css: 'select[name="plan"]' },
        votes: [makeHealVote({ user_id: 1, user_name: 'Ada', admin: true, how: 'approved', created_at: '2026-11-26T10:00:00Z' })],
      }),
      makeSelectorVariant({
        id: 502,
        status: 'pending',
        method: 'deterministic',
        confidence: 0.65,
        page_state_hash: 'sha256:77aa00bb11cc22dd',
        selectors: { primary: `div.plans > ${'select:nth-of-type(2) '.repeat(20)}` },
        votes: [makeHealVote({ user_id: 2, user_name: 'Bob' }), makeHealVote({ user_id: 4, user_name: 'Dee', created_at: '2026-11-26T09:30:00Z' }), makeHealVote({ user_id: 3, user_name: 'Cy', vote: 'reject' })],
      }),
      makeSelectorVariant({ id: 503, status: 'rejected', method: 'ai_assisted', confidence: 0.61, selectors: { primary: '#pricing' }, votes: [makeHealVote({ user_id: 1, user_name: 'Ada', admin: true, vote: 'reject' })] }),
    ],
  });
}

describe('selector variants (pure)', () => {
  it('lists the server’s variants as they are, recorded first', () => {
    const variants = variantsOf(healedStep());
    expect(variants.map((v) => v.id)).toEqual([null, 501, 502, 503]);
    expect(variantsSummary(variants)).toBe('3 ways to find this element · 1 waiting for confirmation · 1 rejected');
    expect(variantsSummary(variants.slice(0, 1))).toBe('1 way to find this element');
  });

  it('says how each was found', () => {
    const [recorded, approved, similar, ai] = variantsOf(healedStep());
    expect([recorded, approved, similar, ai].map((v) => methodLabel(v!))).toEqual(['Recorded', 'Approved by Ada', 'Healed by similarity', 'Healed with AI']);
    expect(methodLabel({ method: 'approved', votes: [] })).toBe('Approved by an admin');
    expect(methodLabel({ method: 'confirmed', votes: [] })).toBe('Confirmed by colleagues');
    expect(methodLabel({ method: 'imported', votes: [] })).toBe('Imported');
  });

  it('old data without variants falls back to the step’s selectors (and an old heal)', () => {
    const { selector_variants: _omit, ...old } = makeStep({ selectors: { primary: '#a', css: 'a.b' } });
    expect(variantsOf(old)).toEqual([expect.objectContaining({ id: null, source: 'recorded', method: 'recorded', status: 'shared', selectors: { primary: '#a', css: 'a.b' } })]);
    const healed = variantsOf({ ...old, selectors: { primary: '#new', css: 'a.b' }, healed_at: '2026-11-20T10:00:00Z', healing_method: 'ai_assisted', healing_confidence: 0.9, healed_selectors: { previous_primary: '#a' } });
    expect(healed).toHaveLength(2);
    expect(healed[0]!.selectors.primary).toBe('#a');
    expect(healed[1]).toMatchObject({ source: 'healed', method: 'ai_assisted', confidence: 0.9, status: 'shared', selectors: { primary: '#new' } });
    expect(variantsOf({ ...old, selector_variants: [] })).toHaveLength(1);
  });
});

describe('selectors and healing history on the review page', () => {
  it('is compact until opened, then shows every variant with provenance, status, votes and selectors', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/workflows/10': () => ok(makeDetail({}, [healedStep(), makeStep({ step_number: 2 })])) });
    renderApp('/workflows/10');
    const card = await screen.findByTestId('step-101');
    expect(within(card).getByTestId('variants-summary-101').textContent).toBe('3 ways to find this element · 1 waiting for confirmation · 1 rejected');
    expect(within(screen.getByTestId('step-102')).getByTestId('variants-summary-102').textContent).toBe('1 way to find this element');
    const details = card.querySelector('details')!;
    expect(details.open).toBe(false);
    fireEvent.click(within(card).getByText('Selectors and healing history'));
    expect(details.open).toBe(true);

    const ways = within(within(card).getByRole('list', { name: 'Ways to find the element of step 1' })).getAllByRole('listitem');
    expect(ways.map((li) => li.getAttribute('aria-label'))).toEqual([
      'Step 1, way 1: Recorded',
      'Step 1, way 2: Approved by Ada',
      'Step 1, way 3: Healed by similarity',
      'Step 1, way 4: Healed with AI',
    ]);
    const [recorded, approved, pending, rejected] = ways as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];
    for (const [name, value] of [['Primary', '#plan'], ['CSS', 'select#plan'], ['XPath', '//*[@id="plan"]'], ['ARIA', 'aria/Plan[role="combobox"]']]) {
      const dd = within(recorded).getByText(value!);
      expect(dd.previousElementSibling?.textContent).toBe(name);
      expect(dd.className).toContain('font-mono');
    }
    expect(within(recorded).queryByText('Shared')).toBeNull();

    expect(within(approved).getByText('★ Preferred')).toBeTruthy();
    expect(within(approved).getByText('Shared')).toBeTruthy();
    expect(within(approved).getByText(/74% sure/)).toBeTruthy();
    expect(within(approved).getByText('Confirmed by Ada (admin)')).toBeTruthy();
    expect(within(approved).queryByText('XPath')).toBeNull();

    expect(within(pending).getByText('Waiting for confirmation')).toBeTruthy();
    expect(within(pending).getByText('Confirmed by Bob, Dee · rejected by Cy')).toBeTruthy();
    expect(within(pending).getByText('77aa00bb').closest('[title]')?.getAttribute('title')).toBe('Found on page state sha256:77aa00bb11cc22dd');
    const long = within(pending).getByTitle(/^div\.plans > /);
    expect(long.className).toContain('truncate');
    expect(long.textContent).toBe(long.getAttribute('title'));

    expect(within(rejected).getByText('Rejected')).toBeTruthy();
    expect(within(rejected).getByText('Rejected by Ada (admin)')).toBeTruthy();
  });

  it('renders a step stored before variants existed', async () => {
    signInAs(makeMe());
    const { selector_variants: _omit, ...old } = makeStep({ step_number: 1, healed_at: '2026-11-20T10:00:00Z', healing_method: 'deterministic', healing_confidence: 0.88, selectors: { primary: '#new' }, healed_selectors: { previous_primary: '#old' } });
    installFakeFetch({ 'GET /api/workflows/10': () => ok(makeDetail({}, [old])) });
    renderApp('/workflows/10');
    const card = await screen.findByTestId('step-101');
    expect(within(card).getByText('Healed')).toBeTruthy();
    expect(within(card).getByTestId('variants-summary-101').textContent).toBe('2 ways to find this element');
    fireEvent.click(within(card).getByText('Selectors and healing history'));
    const region = within(card).getByRole('region', { name: 'Selectors of step 1' });
    expect(within(region).getByText('#old')).toBeTruthy();
    expect(within(region).getByText('#new')).toBeTruthy();
    expect(within(region).getByText('Healed by similarity')).toBeTruthy();
    expect(within(region).getByText(/88% sure/)).toBeTruthy();
  });
});
