// Value kinds, pure: the classifier's rules over field facts, and linkValues over step lists.
import { describe, expect, it } from 'vitest';
import { classifyValueKind, isIdentityAutocomplete, linkValues, type LinkableStep, type ValueFieldFacts, type ValueKind, type ValueKindRule } from '../src/value-kind.js';

const field = (f: Partial<ValueFieldFacts>): ValueFieldFacts => ({
  tag: 'input',
  type: null,
  role: null,
  contentEditable: false,
  autocomplete: null,
  name: null,
  id: null,
  label: null,
  placeholder: null,
  sensitive: false,
  ...f,
});

describe('classifyValueKind', () => {
  const cases: [string, Partial<ValueFieldFacts>, ValueKind, ValueKindRule][] = [
    // personal
    ['a masked field', { name: 'pin', sensitive: true }, 'personal', 'masked'],
    ['a masked field whatever its words say', { label: 'Title', sensitive: true }, 'personal', 'masked'],
    ['type=email', { type: 'email', label: 'Notify' }, 'personal', 'input-type'],
    ['type=tel', { type: 'tel' }, 'personal', 'input-type'],
    ['type=password', { type: 'password' }, 'personal', 'input-type'],
    ['autocomplete username', { autocomplete: 'username' }, 'personal', 'autocomplete'],
    ['autocomplete with section and shipping', { autocomplete: 'section-a shipping street-address' }, 'personal', 'autocomplete'],
    ['autocomplete given-name on an unlabelled field', { autocomplete: 'given-name', label: 'Title' }, 'personal', 'autocomplete'],
    ['a country select with autocomplete', { tag: 'select', autocomplete: 'country' }, 'personal', 'autocomplete'],
    ['a birthday date by autocomplete', { type: 'date', autocomplete: 'bday' }, 'personal', 'autocomplete'],
    ['a birthday date by its label', { type: 'date', label: 'Date of birth' }, 'personal', 'personal-hint'],
    ['name=username', { name: 'username' }, 'personal', 'personal-hint'],
    ['id userName (camelCase)', { id: 'userName' }, 'personal', 'personal-hint'],
    ['name user_name', { name: 'user_name' }, 'personal', 'personal-hint'],
    ['label Login', { label: 'Login' }, 'personal', 'personal-hint'],
    ['label E-mail', { label: 'E-mail' }, 'personal', 'personal-hint'],
    ['label Phone number', { label: 'Phone number' }, 'personal', 'personal-hint'],
    ['id firstName', { id: 'firstName' }, 'personal', 'personal-hint'],
    ['label Last name', { label: 'Last name' }, 'personal', 'personal-hint'],
    ['label Full name', { label: 'Full name *' }, 'personal', 'personal-hint'],
    ['label Surname', { label: 'Surname' }, 'personal', 'personal-hint'],
    ['aria-label via label text: Display name', { label: 'Display name' }, 'personal', 'personal-hint'],
    ['Mobile number', { label: 'Mobile number' }, 'personal', 'personal-hint'],
    // free
    ['a textarea', { tag: 'textarea', type: null }, 'free', 'element'],
    ['a textarea labelled Email body (not an address)', { tag: 'textarea', label: 'Email body' }, 'free', 'element'],
    ['contenteditable', { tag: 'div', contentEditable: true }, 'free', 'element'],
    ['type=search', { type: 'search', label: 'Search users by email' }, 'free', 'element'],
    ['role=searchbox', { role: 'searchbox' }, 'free', 'element'],
    ['label Title', { label: 'Title' }, 'free', 'free-hint'],
    ['name page_title', { name: 'page_title' }, 'free', 'free-hint'],
    ['label Subject', { label: 'Subject' }, 'free', 'free-hint'],
    ['placeholder Add a description', { placeholder: 'Add a description…' }, 'free', 'free-hint'],
    ['label Summary', { label: 'Summary' }, 'free', 'free-hint'],
    ['id comment', { id: 'comment' }, 'free', 'free-hint'],
    ['label Notes', { label: 'Notes' }, 'free', 'free-hint'],
    ['label Message', { label: 'Message' }, 'free', 'free-hint'],
    ['name q', { name: 'q' }, 'free', 'free-hint'],
    ['name query', { name: 'query' }, 'free', 'free-hint'],
    ['Email subject: the free word wins', { label: 'Email subject' }, 'free', 'free-hint'],
    ['Search by email on a text input', { label: 'Search by email' }, 'free', 'free-hint'],
    ['label Project name (a thing)', { label: 'Project name' }, 'free', 'thing-name'],
    ['name name on a plain input', { name: 'name' }, 'free', 'thing-name'],
    ['role=textbox div named Title', { tag: 'div', role: 'textbox', label: 'Title' }, 'free', 'free-hint'],
    // fixed
    ['a select', { tag: 'select', label: 'Vendor' }, 'fixed', 'element'],
    ['a select named after a person word stays fixed', { tag: 'select', label: 'Email template' }, 'fixed', 'element'],
    ['a radio', { type: 'radio', label: 'Express' }, 'fixed', 'element'],
    ['a checkbox labelled Email me', { type: 'checkbox', label: 'Email me updates' }, 'fixed', 'element'],
    ['a number', { type: 'number', label: 'Amount' }, 'fixed', 'element'],
    ['a date', { type: 'date', label: 'Due date' }, 'fixed', 'element'],
    ['a range', { type: 'range' }, 'fixed', 'element'],
    ['a color', { type: 'color' }, 'fixed', 'element'],
    ['a plain text field no rule knows', { label: 'Discount code' }, 'fixed', 'default'],
    ['a URL field', { type: 'url', label: 'Webhook' }, 'fixed', 'default'],
    ['a button-like div', { tag: 'div' }, 'fixed', 'default'],
    ['autocomplete off says nothing', { autocomplete: 'off', label: 'Code' }, 'fixed', 'default'],
    ['transaction-amount is the task’s value', { autocomplete: 'transaction-amount' }, 'fixed', 'default'],
    ['hotel is not tel', { label: 'Hotel' }, 'fixed', 'default'],
  ];
  for (const [name, facts, kind, rule] of cases) {
    it(`${name} → ${kind} (${rule})`, () => {
      expect(classifyValueKind(field(facts))).toEqual({ kind, rule });
    });
  }

  it('reads identity autocomplete tokens only', () => {
    expect(isIdentityAutocomplete('billing tel-national')).toBe(true);
    expect(isIdentityAutocomplete('EMAIL')).toBe(true);
    expect(isIdentityAutocomplete('on')).toBe(false);
    expect(isIdentityAutocomplete('language')).toBe(false);
    expect(isIdentityAutocomplete(null)).toBe(false);
  });
});

type Step = LinkableStep & { element_meta: NonNullable<LinkableStep['element_meta']> };

const typed = (n: number, value: string | null, kind: ValueKind | null, meta: Partial<Step['element_meta']> = {}, masked = false): Step => ({
  step_number: n,
  action_type: 'input_commit',
  element_meta: { tag_name: 'INPUT', type: null, ...meta },
  page_context: { url: 'https://wiki.example/pages/new' },
  action_data: { input_value: value, value_masked: masked || null, value_kind: kind },
});
const click = (n: number, meta: Partial<Step['element_meta']>, url = 'https://wiki.example/pages'): Step => ({
  step_number: n,
  action_type: 'click',
  element_meta: { tag_name: 'A', ...meta },
  page_context: { url },
  action_data: null,
});
const navigate = (n: number, url: string): Step => ({ step_number: n, action_type: 'navigate', element_meta: { tag_name: 'HTML' }, page_context: { url }, action_data: null });

const from = (steps: Step[]) => linkValues(steps).map((s) => s.action_data?.value_from ?? null);
const kinds = (steps: Step[]) => linkValues(steps).map((s) => s.action_data?.value_kind ?? null);

describe('linkValues', () => {
  const cases: [string, Step[], (number | null)[]][] = [
    ['link text shows the title typed', [typed(1, 'Q3 Report', 'free'), click(2, { inner_text: 'Open q3 report' })], [null, 1]],
    ['accessible name', [typed(1, 'Roadmap', 'free'), click(2, { accessible_name: 'Roadmap (draft)' })], [null, 1]],
    ['aria-label', [typed(1, 'Roadmap', 'free'), click(2, { aria_label: 'Edit Roadmap' })], [null, 1]],
    ['title attribute', [typed(1, 'Roadmap', 'free'), click(2, { title: 'roadmap' })], [null, 1]],
    ['a link href with a slug', [typed(1, 'Q3 Report', 'free'), click(2, { inner_text: 'Open', href: '/pages/q3-report' })], [null, 1]],
    ['a navigation to an address with the encoded value', [typed(1, 'Q3 Report', 'free'), navigate(2, 'https://wiki.example/search?q=Q3%20Report')], [null, 1]],
    ['a click on the page the value names does not show it (its page is not its target)', [typed(1, 'Roadmap', 'free'), click(2, { inner_text: 'Edit' }, 'https://wiki.example/pages/roadmap')], [null, null]],
    ['a navigation to the page the value names', [typed(1, 'Roadmap', 'free'), navigate(2, 'https://wiki.example/pages/Roadmap')], [null, 1]],
    ['not before the value was typed', [click(1, { inner_text: 'Roadmap' }), typed(2, 'Roadmap', 'free')], [null, null]],
    ['a value shorter than 3 characters is never linked', [typed(1, 'Q3', 'free'), click(2, { inner_text: 'Q3' })], [null, null]],
    ['3 characters are enough', [typed(1, 'Ops', 'free'), click(2, { inner_text: 'Ops board' })], [null, 1]],
    ['a masked value is never linked', [typed(1, null, 'free', {}, true), click(2, { inner_text: 'Roadmap' })], [null, null]],
    ['whole words only', [typed(1, 'Road', 'free'), click(2, { inner_text: 'Roadmap' })], [null, null]],
    ['a personal value is not a source', [typed(1, 'ada.lovelace', 'personal'), click(2, { inner_text: 'ada.lovelace' })], [null, null]],
    ['a fixed value from a rule (a select) is not a source', [{ ...typed(1, 'Globex', 'fixed', { tag_name: 'SELECT' }), action_type: 'select_change' }, click(2, { inner_text: 'Globex' })], [null, null]],
    [
      'two candidates: the latest earlier one',
      [typed(1, 'Roadmap', 'free'), typed(2, 'Roadmap', 'free'), click(3, { inner_text: 'Roadmap' })],
      [null, null, 2],
    ],
    [
      'two different values shown: the latest earlier one',
      [typed(1, 'Roadmap', 'free'), typed(2, 'Budget', 'free'), click(3, { inner_text: 'Roadmap budget' })],
      [null, null, 2],
    ],
    [
      'each later step its own source',
      [typed(1, 'Roadmap', 'free'), typed(2, 'Budget', 'free'), click(3, { inner_text: 'Roadmap' }), click(4, { inner_text: 'Budget' })],
      [null, null, 1, 2],
    ],
    ['case and spaces aside', [typed(1, '  Team   OFFSITE ', 'free'), click(2, { inner_text: 'team offsite' })], [null, 1]],
    ['a step with nothing shown', [typed(1, 'Roadmap', 'free'), { ...click(2, {}), page_context: null }], [null, null]],
  ];
  for (const [name, steps, expected] of cases) {
    it(name, () => expect(from(steps)).toEqual(expected));
  }

  it('a plain text input fixed by default becomes free when its value shows up later', () => {
    const steps = [typed(1, 'Offsite plan', 'fixed'), click(2, { inner_text: 'Offsite plan' })];
    expect(kinds(steps)).toEqual(['free', null]);
    expect(from(steps)).toEqual([null, 1]);
    // value_kind absent means fixed too.
    expect(kinds([typed(1, 'Offsite plan', null), click(2, { inner_text: 'Offsite plan' })])).toEqual(['free', null]);
  });

  it('stays fixed when its value does not show up, when it is a number, or when it is not a plain text input', () => {
    expect(kinds([typed(1, 'Offsite plan', 'fixed'), click(2, { inner_text: 'Save' })])).toEqual(['fixed', null]);
    expect(kinds([typed(1, '1250', 'fixed'), click(2, { inner_text: 'Invoice 1250' })])).toEqual(['fixed', null]);
    expect(from([typed(1, '1250', 'fixed'), click(2, { inner_text: 'Invoice 1250' })])).toEqual([null, null]);
    expect(kinds([typed(1, 'https://hooks.example', 'fixed', { type: 'url' }), click(2, { inner_text: 'https://hooks.example' })])).toEqual(['fixed', null]);
    expect(kinds([typed(1, 'Offsite', 'fixed', { tag_name: 'TEXTAREA' }), click(2, { inner_text: 'Offsite' })])).toEqual(['fixed', null]);
  });

  it('does not change its input and keeps the other fields', () => {
    const steps = [typed(1, 'Roadmap', 'free'), click(2, { inner_text: 'Roadmap' })];
    const copy = structuredClone(steps);
    const out = linkValues(steps);
    expect(steps).toEqual(copy);
    expect(out[0]).toBe(steps[0]);
    expect(out[1]).toEqual({ ...steps[1], action_data: { value_from: 1 } });
    expect(linkValues(out)).toEqual(out); // idempotent
  });

  it('keeps a step numbering that does not start at 1', () => {
    expect(from([typed(7, 'Roadmap', 'free'), click(8, { inner_text: 'Roadmap' })])).toEqual([null, 7]);
  });
});
