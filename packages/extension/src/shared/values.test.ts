import { describe, expect, it } from 'vitest';
import type { GuideStep } from './types';
import { boundStep, fillValueOf, isValueSource, rememberValue, sourceIndexOf, stepValueKind, takesAnyValue, withoutRecordedValues } from './values';

type Data = NonNullable<GuideStep['action_data']>;

function step(n: number, action: GuideStep['action_type'], data: Data | null, over: Partial<GuideStep> = {}): GuideStep {
  return {
    id: 100 + n,
    step_number: n,
    action_type: action,
    selectors: { primary: '#f', css: '#f', xpath: null, data_testid: null, stable_attrs: null },
    element_meta: {
      tag_name: 'INPUT',
      role: 'textbox',
      type: 'text',
      name: null,
      placeholder: null,
      inner_text: null,
      label_text: 'Field',
      nearby_text: null,
      classes: [],
      bounding_box: { x: 0, y: 0, width: 100, height: 20 },
      parent_tag: 'DIV',
      parent_classes: null,
    },
    page_context: { url: 'https://wiki.test/new', title: 'New page', viewport: { width: 1280, height: 800 } },
    action_data: data,
    expected_outcome: null,
    field_label: 'Field',
    instruction: 'Fill in the field.',
    ...over,
  } as GuideStep;
}

const link = (n: number, from: number | null) =>
  step(n, 'click', from === null ? null : { value_from: from }, {
    selectors: { primary: 'aria/Q3 launch plan[role="link"]', css: 'a[href="/pages/q3-launch-plan"]', xpath: '//*[@id="pages"]/li[2]/a', data_testid: null, stable_attrs: { href: '/pages/q3-launch-plan' }, aria: 'aria/Q3 launch plan[role="link"]' },
    element_meta: {
      tag_name: 'A',
      role: 'link',
      type: null,
      name: null,
      placeholder: null,
      inner_text: 'Q3 launch plan',
      label_text: null,
      nearby_text: 'Welcome page',
      classes: ['page-link'],
      bounding_box: { x: 0, y: 40, width: 120, height: 20 },
      parent_tag: 'LI',
      parent_classes: null,
      accessible_name: 'Q3 launch plan',
      href: '/pages/q3-launch-plan',
    },
    page_context: { url: 'https://wiki.test/pages', title: 'Pages', viewport: { width: 1280, height: 800 } },
    expected_outcome: { navigation: { url: 'https://wiki.test/pages/q3-launch-plan', url_shape: 'wiki.test/pages/#', same_document: false }, appeared: [{ selector: 'h1', role: 'heading', text: 'Q3 launch plan' }], disappeared: [] },
    field_label: 'The page you created',
    instruction: 'Open the page you just created.',
    selector_variants: [
      {
        id: 1,
        source: 'recorded',
        status: 'shared',
        preferred: false,
        selectors: { primary: 'aria/Q3 launch plan[role="link"]', css: null, xpath: null, data_testid: null, stable_attrs: null },
        element_meta: null,
        votes: [],
      } as unknown as NonNullable<GuideStep['selector_variants']>[number],
    ],
    screenshot_url: 'https://server.test/blobs/shot.png',
  });

/** username (personal), title (free), quantity (fixed), category select (fixed), the link to the page, Publish on it. */
const steps = [
  step(1, 'input_commit', { input_value: 'ada.admin', value_kind: 'personal' }),
  step(2, 'input_commit', { input_value: 'Q3 launch plan', value_kind: 'free' }),
  step(3, 'input_commit', { input_value: '3', value_kind: 'fixed' }),
  step(4, 'select_change', { input_value: 'Engineering', value_kind: null }),
  link(5, 2),
  step(6, 'click', null, { page_context: { url: 'https://wiki.test/pages/q3-launch-plan', title: 'Q3 launch plan', viewport: { width: 1280, height: 800 } } }),
];

describe('value kinds of walkthrough steps', () => {
  it('reads the contract: absent is fixed, or personal when masked; steps without a value have none', () => {
    expect(steps.map(stepValueKind)).toEqual(['personal', 'free', 'fixed', 'fixed', null, null]);
    expect(stepValueKind(step(9, 'input_commit', { input_value: null, value_masked: true }))).toBe('personal');
    expect(stepValueKind(step(9, 'input_commit', null))).toBe('fixed');
  });
  it('any value does a personal or free step; a fixed one keeps its check', () => {
    expect(steps.map(takesAnyValue)).toEqual([true, true, false, false, false, false]);
  });
  it('"Fill it for me" is offered on fixed steps with a recorded value only', () => {
    expect(steps.map(fillValueOf)).toEqual([null, null, '3', 'Engineering', null, null]);
    expect(fillValueOf(step(9, 'input_commit', { input_value: null, value_masked: true, value_kind: 'fixed' }))).toBeNull();
    expect(fillValueOf(step(9, 'input_commit', { input_value: '', value_kind: 'fixed' }))).toBeNull();
    expect(fillValueOf(step(9, 'input_commit', { input_value: 'Q3 launch plan copy', value_kind: 'fixed', value_from: 2 }))).toBeNull();
  });
});

describe('a step that shows a value typed earlier', () => {
  it('finds its source step by step_number, earlier and with a recorded value', () => {
    expect(sourceIndexOf(steps, 4)).toBe(1);
    expect(sourceIndexOf(steps, 5)).toBeNull();
    expect(sourceIndexOf([link(1, 2), steps[1]!], 0)).toBeNull();
    expect(steps.map((_, i) => isValueSource(steps, i))).toEqual([false, true, false, false, false, false]);
  });

  it('is looked for with the colleague value: target, variants, outcome; names stay generic', () => {
    const b = boundStep(steps, 4, { 1: 'Team offsite notes' });
    expect(b).toMatchObject({ bound: true, unknown: false, urlUnknown: false });
    const s = b.step;
    expect(s.element_meta.inner_text).toBe('Team offsite notes');
    expect(s.element_meta.href).toBe('/pages/team-offsite-notes');
    expect(s.selectors.aria).toBe('aria/Team offsite notes[role="link"]');
    expect(s.selectors.css).toBe('a[href="/pages/team-offsite-notes"]');
    expect(s.selector_variants![0]!.selectors.primary).toBe('aria/Team offsite notes[role="link"]');
    expect(s.expected_outcome!.navigation).toEqual({ url: 'https://wiki.test/pages/team-offsite-notes', url_shape: 'wiki.test/pages/team-offsite-notes', same_document: false });
    expect(s.expected_outcome!.appeared![0]!.text).toBe('Team offsite notes');
    expect(s.field_label).toBe('The page you created');
    expect(s.instruction).toBe('Open the page you just created.');
    // The recorded screenshot shows the recorder's link.
    expect(s.screenshot_url).toBeNull();
    expect(steps[4]!.element_meta.inner_text).toBe('Q3 launch plan');
  });

  it('without the colleague value (they skipped the title), nothing names the recorder value', () => {
    const quoting = { ...steps[4]!, field_label: 'Q3 launch plan', instruction: 'Click “Q3 launch plan”.' };
    const b = boundStep([...steps.slice(0, 4), quoting], 4, {});
    expect(b).toMatchObject({ bound: true, unknown: true });
    const text = JSON.stringify(b.step).toLowerCase();
    for (const form of ['q3 launch plan', 'q3-launch-plan']) expect(text).not.toContain(form);
    expect(b.step.field_label).toBe('The page you created');
    expect(b.step.instruction).toBe('Open the page you created.');
    expect(b.step.selectors.xpath).toBe('//*[@id="pages"]/li[2]/a');
    expect(b.step.expected_outcome!.navigation).toBeNull();
  });

  it('a step on the page just created has the colleague address, or none to open', () => {
    expect(boundStep(steps, 5, { 1: 'Team offsite notes' })).toMatchObject({ bound: false, urlUnknown: false, step: { page_context: { url: 'https://wiki.test/pages/team-offsite-notes' } } });
    expect(boundStep(steps, 5, {})).toMatchObject({ bound: false, urlUnknown: true });
    expect(boundStep(steps, 2, {})).toEqual({ step: steps[2], bound: false, unknown: false, urlUnknown: false });
  });

  it('a navigation to the page just created goes to the colleague page', () => {
    const nav = step(5, 'navigate', { value_from: 2 }, { page_context: { url: 'https://wiki.test/pages/q3-launch-plan', title: 'Q3 launch plan', viewport: { width: 1280, height: 800 } } });
    const list = [...steps.slice(0, 4), nav];
    expect(boundStep(list, 4, { 1: 'Team offsite notes' }).step.page_context.url).toBe('https://wiki.test/pages/team-offsite-notes');
    expect(boundStep(list, 4, {})).toMatchObject({ bound: true, unknown: true, urlUnknown: true });
  });
});

describe('the values a walk keeps', () => {
  it('keeps only what a later step looks for; a skip forgets it; never a personal value', () => {
    let v = rememberValue(undefined, steps, 0, 'bob.colleague');
    expect(v).toEqual({});
    v = rememberValue(v, steps, 1, '  Team offsite notes ');
    expect(v).toEqual({ 1: 'Team offsite notes' });
    v = rememberValue(v, steps, 2, '7');
    expect(v).toEqual({ 1: 'Team offsite notes' });
    expect(rememberValue(v, steps, 1, null)).toEqual({});
    expect(rememberValue(v, steps, 1, '')).toEqual({});
  });
});

describe('words a card quotes', () => {
  it('never read the recorder\'s personal or free values back (fixed ones are the task\'s)', () => {
    expect(withoutRecordedValues('Q3 launch plan · Engineering', steps, 4)).toBe('');
    expect(withoutRecordedValues('by ada.admin, 3 copies', steps, 4)).toBe('');
    expect(withoutRecordedValues('Engineering, 3 copies', steps, 4)).toBe('Engineering, 3 copies');
    // Only values typed before the step count.
    expect(withoutRecordedValues('by ada.admin', steps, 0)).toBe('by ada.admin');
  });
});
