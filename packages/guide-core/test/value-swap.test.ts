import { describe, expect, it } from 'vitest';
import { exactWithValue, showsValue, slugOf, textWithValue, valueSwap, withValue } from '../src/value-swap.js';
import { rankCandidates } from '../src/score.js';
import { contradicts } from '../src/verify.js';
import type { ElementMeta, StepTarget } from '../src/types.js';

function meta(over: Partial<ElementMeta>): ElementMeta {
  return {
    tag_name: 'A',
    role: 'link',
    type: null,
    name: null,
    placeholder: null,
    inner_text: null,
    label_text: null,
    nearby_text: null,
    classes: ['page-link'],
    bounding_box: { x: 40, y: 120, width: 160, height: 20 },
    parent_tag: 'LI',
    parent_classes: null,
    ...over,
  };
}

/** The link to the page the recorder created, titled with what they typed ("Q3 launch plan"). */
const recordedLink: StepTarget = {
  selectors: {
    primary: 'aria/Q3 launch plan[role="link"]',
    css: 'a[href="/pages/q3-launch-plan"]',
    xpath: '//*[@id="pages"]/li[2]/a',
    data_testid: null,
    stable_attrs: { href: '/pages/q3-launch-plan', title: 'Open Q3 launch plan' },
    aria: 'aria/Q3 launch plan[role="link"]',
    xpath_alt: '/html/body/main/ul/li[2]/a',
  },
  element_meta: meta({
    inner_text: 'Q3 launch plan',
    accessible_name: 'Q3 launch plan',
    title: 'Open Q3 launch plan',
    href: '/pages/q3-launch-plan',
    id: 'page-q3_launch_plan',
    nearby_text: 'Q3 launch plan edited by Ada · Welcome page',
    context: ['section Q3 launch plan', 'main'],
  }),
};

describe('value forms', () => {
  it('slugs a value as addresses do', () => {
    expect(slugOf('Q3 launch plan')).toBe('q3-launch-plan');
    expect(slugOf('  Été: notes / 2024 ', '_')).toBe('ete_notes_2024');
  });
  it('finds the value whole-word in any case, across spaces, encoded, as + or slug', () => {
    const swap = valueSwap('Q3 launch plan', 'Team offsite notes')!;
    for (const t of ['Open Q3 LAUNCH  plan', '/pages/q3-launch-plan', '/search?q=Q3%20launch%20plan', '/search?q=Q3+launch+plan', 'page-q3_launch_plan']) {
      expect(showsValue(t, swap), t).toBe(true);
    }
    for (const t of ['Q3 launch planning', 'AQ3 launch plan', '/pages/q3-launch', 'Q3 launch']) expect(showsValue(t, swap), t).toBe(false);
  });
  it('writes the colleague value in the form the recorded one had', () => {
    const swap = valueSwap('Q3 launch plan', 'Team offsite notes')!;
    expect(textWithValue('Open Q3 launch plan', swap)).toBe('Open Team offsite notes');
    expect(exactWithValue('/pages/q3-launch-plan?from=list', swap)).toBe('/pages/team-offsite-notes?from=list');
    expect(exactWithValue('/search?q=Q3%20launch%20plan', swap)).toBe('/search?q=Team%20offsite%20notes');
    expect(exactWithValue('/search?q=Q3+launch+plan', swap)).toBe('/search?q=Team+offsite+notes');
    expect(exactWithValue('page-q3_launch_plan', swap)).toBe('page-team_offsite_notes');
    expect(textWithValue('Welcome page', swap)).toBe('Welcome page');
  });
  it('a colleague value that contains the recorded one is written once', () => {
    const swap = valueSwap('plan', 'plan B')!;
    expect(textWithValue('Open plan', swap)).toBe('Open plan B');
  });
  it('unknown colleague value: cut out of texts, addresses and selectors naming it dropped', () => {
    const swap = valueSwap('Q3 launch plan', null)!;
    expect(swap.colleague).toBeNull();
    expect(textWithValue('Open Q3 launch plan', swap)).toBe('Open');
    expect(textWithValue('Q3 launch plan', swap)).toBeNull();
    expect(exactWithValue('/pages/q3-launch-plan', swap)).toBeNull();
    expect(exactWithValue('/pages', swap)).toBe('/pages');
    expect(valueSwap('Q3 launch plan', '   ')!.colleague).toBeNull();
  });
  it('a value under 3 characters is not swapped (it shows up by chance)', () => {
    expect(valueSwap('ok', 'fine')).toBeNull();
    expect(withValue(recordedLink, 'Q3', 'Team')).toBe(recordedLink);
  });
});

describe('withValue', () => {
  it('rewrites the recorded facts and selectors with the colleague value', () => {
    const t = withValue(recordedLink, 'Q3 launch plan', 'Team offsite notes');
    expect(t.element_meta.inner_text).toBe('Team offsite notes');
    expect(t.element_meta.accessible_name).toBe('Team offsite notes');
    expect(t.element_meta.title).toBe('Open Team offsite notes');
    expect(t.element_meta.href).toBe('/pages/team-offsite-notes');
    expect(t.element_meta.id).toBe('page-team_offsite_notes');
    expect(t.element_meta.nearby_text).toBe('Team offsite notes edited by Ada · Welcome page');
    expect(t.element_meta.context).toEqual(['section Team offsite notes', 'main']);
    expect(t.selectors.aria).toBe('aria/Team offsite notes[role="link"]');
    expect(t.selectors.primary).toBe('aria/Team offsite notes[role="link"]');
    expect(t.selectors.css).toBe('a[href="/pages/team-offsite-notes"]');
    expect(t.selectors.stable_attrs).toEqual({ href: '/pages/team-offsite-notes', title: 'Open Team offsite notes' });
    // Structure stays as it was; the input is not changed.
    expect(t.selectors.xpath).toBe(recordedLink.selectors.xpath);
    expect(t.element_meta.classes).toEqual(['page-link']);
    expect(recordedLink.element_meta.inner_text).toBe('Q3 launch plan');
  });

  it('unknown colleague value: no fact or selector names the recorded value', () => {
    const t = withValue(recordedLink, 'Q3 launch plan', null);
    const all = JSON.stringify(t).toLowerCase();
    for (const form of ['q3 launch plan', 'q3-launch-plan', 'q3_launch_plan']) expect(all).not.toContain(form);
    expect(t.element_meta.inner_text).toBeNull();
    expect(t.element_meta.title).toBe('Open');
    expect(t.element_meta.href).toBeNull();
    expect(t.element_meta.id).toBeNull();
    expect(t.selectors.primary).toBeNull();
    expect(t.selectors.aria).toBeNull();
    expect(t.selectors.css).toBeNull();
    // Attribute values are selected on as they are: one that names the value is dropped whole.
    expect(t.selectors.stable_attrs).toEqual({});
    expect(t.selectors.xpath).toBe(recordedLink.selectors.xpath);
    expect(t.element_meta.tag_name).toBe('A');
    expect(t.element_meta.context).toEqual(['section', 'main']);
  });

  it('the colleague link outranks the recorder link, which then contradicts the step', () => {
    const link = (title: string, y: number): StepTarget => ({
      selectors: { primary: null, css: null, xpath: null, data_testid: null, stable_attrs: { href: `/pages/${slugOf(title)}` }, xpath_alt: `/html/body/main/ul/li[${y}]/a` },
      element_meta: meta({ inner_text: title, accessible_name: title, title: `Open ${title}`, href: `/pages/${slugOf(title)}`, nearby_text: 'Welcome page', bounding_box: { x: 40, y: 100 + 20 * y, width: 160, height: 20 } }),
    });
    // The recorder's page sits where the recorded link sat; the colleague's is below it.
    const page = [link('Welcome page', 1), link('Q3 launch plan', 2), link('Team offsite notes', 3)];
    const before = rankCandidates(recordedLink, page);
    expect(before[0]!.index).toBe(1);
    const mine = withValue(recordedLink, 'Q3 launch plan', 'Team offsite notes');
    const after = rankCandidates(mine, page);
    expect(after[0]!.index).toBe(2);
    expect(after[0]!.score - after[1]!.score).toBeGreaterThanOrEqual(20);
    expect(contradicts(page[1]!, mine)).toBe('text');
    expect(contradicts(page[2]!, mine)).toBeNull();
  });
});
