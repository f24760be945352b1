/**
 * Whose value a typed or chosen step takes (the contract's `ActionData.value_kind`), so that a
 * colleague's walkthrough never reads the recorder's own data back to them:
 * - `personal`: the colleague's own (username, email, names, phone, address, birthday, masked
 *   fields): "Enter your username";
 * - `free`: something the colleague makes up (titles, names of things, free text, search terms):
 *   "Type a title";
 * - `fixed`: the value the task needs (select options, radios, checkboxes, numbers, dates, and
 *   any field no rule recognises): quoted, and the walkthrough can fill it in.
 *
 * `classifyValueKind` is pure (it reads `ValueFieldFacts`, which `fieldFacts` takes from a live
 * element); `linkValues` is pure over a recorded step list: it finds the later steps whose target
 * shows a value typed earlier (the link to the page just created) and points them at that step.
 */
import { isSensitiveField, type PrivacyOptions } from './privacy.js';
import { identifierTokens, normalizeText } from './text.js';

export type ValueKind = 'personal' | 'free' | 'fixed';

/** What the classifier reads of a field. */
export interface ValueFieldFacts {
  /** Lower-case local name: `input`, `textarea`, `select`, `div` … */
  tag: string;
  /** An input's `type`, lower case; null when absent (a text input). */
  type: string | null;
  role: string | null;
  contentEditable: boolean;
  autocomplete: string | null;
  name: string | null;
  id: string | null;
  /** The text of its `<label>`s, `aria-labelledby` and `aria-label`. */
  label: string | null;
  placeholder: string | null;
  /** privacy.ts says its value must never leave the page (it is recorded masked). */
  sensitive: boolean;
}

/**
 * Which rule decided. `default` is the only rule that makes a plain text input `fixed`: such a
 * field becomes `free` when its value shows up later (`linkValues`).
 */
export type ValueKindRule =
  | 'masked'
  | 'input-type'
  | 'autocomplete'
  | 'element'
  | 'free-hint'
  | 'personal-hint'
  | 'thing-name'
  | 'default';

export interface ValueKindVerdict {
  kind: ValueKind;
  rule: ValueKindRule;
}

/**
 * Autofill field names (WHATWG "autofill detail tokens") that describe the person filling the
 * form in, by the spec's own definition: their name parts, username, contact (email, IM, phone in
 * every part), organisation and job title, postal address (street, lines, levels, postal code,
 * country), birthday and sex. Left out on purpose: `transaction-amount`/`-currency` (the task's
 * value), `language` (a preference, not an identity), `url` and `photo` (often put on any URL or
 * file field), `on`/`off`; the card and password tokens are masked by privacy.ts already.
 */
const IDENTITY_AUTOCOMPLETE = new Set([
  'name',
  'honorific-prefix',
  'given-name',
  'additional-name',
  'family-name',
  'honorific-suffix',
  'nickname',
  'username',
  'email',
  'impp',
  'tel',
  'tel-country-code',
  'tel-national',
  'tel-area-code',
  'tel-local',
  'tel-local-prefix',
  'tel-local-suffix',
  'tel-extension',
  'organization',
  'organization-title',
  'street-address',
  'address-line1',
  'address-line2',
  'address-line3',
  'address-level1',
  'address-level2',
  'address-level3',
  'address-level4',
  'country',
  'country-name',
  'postal-code',
  'bday',
  'bday-day',
  'bday-month',
  'bday-year',
  'sex',
]);

/** Input types whose value the colleague owns whatever the field says. */
const PERSONAL_TYPES = new Set(['email', 'tel', 'password']);

/** Inputs that choose among values the task defines (a number, a date, a box to tick). */
const FIXED_TYPES = new Set([
  'checkbox',
  'radio',
  'number',
  'range',
  'color',
  'date',
  'datetime-local',
  'month',
  'week',
  'time',
  'file',
  'hidden',
  'button',
  'submit',
  'reset',
  'image',
]);

/** Single-line inputs a name hint applies to (email and tel are personal by type already). */
const TEXT_TYPES = new Set(['text', 'search', 'url']);

// Hints are matched on words: ids and names are split (`firstName`, `user_name` → "first name",
// "user name"), labels and placeholders normalised (case, accents, punctuation).
/** Words that say the value is made up by whoever types it; they win over a personal word
 * ("Email subject", "Search by email" are not the colleague's email). */
const FREE_HINT = /\b(?:title|subject|description|desc|summary|comments?|notes?|message|search|query|keywords?|caption|headline)\b/;
/** A birthday: personal on a date input too, where other words are the task's dates. */
const BIRTH_HINT = /\b(?:birth ?(?:day|date)|date of birth|dob)\b/;
/** Words naming the person who types. "name" alone is not one of them (see THING_NAME). */
const PERSONAL_HINT =
  /\b(?:user ?name|login|log ?in|sign ?in|e ?mail|phone|mobile (?:phone|number|no)|telephone|tel|first ?name|last ?name|full ?name|given ?name|family ?name|middle ?name|sur ?name|fore ?name|display ?name|nick ?name|your name|birth ?(?:day|date)|date of birth|dob)\b/;
/** "Name" with no person word around it: the name of a thing (project, page, file). */
const THING_NAME = /\bname\b/;

function words(value: string | null): string {
  if (!value) return '';
  const split = identifierTokens(value).join(' ');
  const plain = normalizeText(value);
  return split === plain ? plain : `${split} ${plain}`;
}

/** True when the autocomplete attribute names one of the person's own details. */
export function isIdentityAutocomplete(autocomplete: string | null): boolean {
  if (!autocomplete) return false;
  return autocomplete
    .toLowerCase()
    .split(/\s+/)
    .some((t) => IDENTITY_AUTOCOMPLETE.has(t));
}

/** Whose value a field takes, and the rule that decided (first match in this order). */
export function classifyValueKind(f: ValueFieldFacts): ValueKindVerdict {
  const tag = f.tag.toLowerCase();
  const type = tag === 'input' ? (f.type || 'text').toLowerCase() : null;
  const role = (f.role || '').toLowerCase();
  // 1. A masked value is never quoted: only the colleague knows theirs.
  if (f.sensitive) return { kind: 'personal', rule: 'masked' };
  if (type && PERSONAL_TYPES.has(type)) return { kind: 'personal', rule: 'input-type' };
  // 2. The page says it is the person's own detail (a birthday date, a country select too).
  if (isIdentityAutocomplete(f.autocomplete)) return { kind: 'personal', rule: 'autocomplete' };
  const named = [words(f.name), words(f.id), words(f.label)].join(' ');
  if (type === 'date' && BIRTH_HINT.test(named)) return { kind: 'personal', rule: 'personal-hint' };
  // 3. Controls that choose among values the task defines.
  if (tag === 'select' || (type && FIXED_TYPES.has(type))) return { kind: 'fixed', rule: 'element' };
  // 4. Places to write or search in: whatever the colleague wants.
  if (tag === 'textarea' || f.contentEditable || type === 'search' || role === 'searchbox') return { kind: 'free', rule: 'element' };
  // 5. Words of a single-line field: its name, id and label (and placeholder for made-up text).
  const isText = (type && TEXT_TYPES.has(type)) || role === 'textbox' || role === 'combobox';
  if (!isText) return { kind: 'fixed', rule: 'default' };
  const withPlaceholder = `${named} ${words(f.placeholder)}`;
  if (FREE_HINT.test(withPlaceholder) || f.name === 'q') return { kind: 'free', rule: 'free-hint' };
  if (PERSONAL_HINT.test(named)) return { kind: 'personal', rule: 'personal-hint' };
  if (THING_NAME.test(withPlaceholder)) return { kind: 'free', rule: 'thing-name' };
  return { kind: 'fixed', rule: 'default' };
}

function labelOf(el: Element): string | null {
  const parts: string[] = [];
  const labels = (el as HTMLInputElement).labels;
  if (labels) for (const l of Array.from(labels)) parts.push(l.textContent || '');
  const ids = el.getAttribute('aria-labelledby');
  if (ids) {
    const doc = el.ownerDocument;
    const root = el.getRootNode() as Document | ShadowRoot;
    for (const id of ids.split(/\s+/).filter(Boolean)) {
      const ref = ('getElementById' in root ? root.getElementById(id) : null) ?? doc.getElementById(id);
      if (ref) parts.push(ref.textContent || '');
    }
  }
  const aria = el.getAttribute('aria-label');
  if (aria) parts.push(aria);
  const text = parts.join(' ').replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, 300) : null;
}

function isEditable(el: Element): boolean {
  if ((el as HTMLElement).isContentEditable === true) return true;
  const attr = el.getAttribute('contenteditable');
  return attr !== null && attr.toLowerCase() !== 'false';
}

/** The facts `classifyValueKind` reads, taken from a live element. */
export function fieldFacts(el: Element, options: PrivacyOptions = {}): ValueFieldFacts {
  return {
    tag: el.localName,
    type: el.localName === 'input' ? el.getAttribute('type') : null,
    role: el.getAttribute('role'),
    contentEditable: isEditable(el),
    autocomplete: el.getAttribute('autocomplete'),
    name: el.getAttribute('name'),
    id: el.id || null,
    label: labelOf(el),
    placeholder: el.getAttribute('placeholder'),
    sensitive: isSensitiveField(el, options),
  };
}

/** Whose value the field `el` takes (see the module comment). */
export function valueKindOf(el: Element, options: PrivacyOptions = {}): ValueKind {
  return classifyValueKind(fieldFacts(el, options)).kind;
}

// ---------------------------------------------------------------------------------------------
// Values that reappear later in the recording.

/** What `linkValues` reads and writes of a recorded step (the contract's RecordedStep). */
export interface LinkableStep {
  step_number: number;
  action_type: string;
  element_meta?: {
    tag_name?: string | null;
    type?: string | null;
    inner_text?: string | null;
    accessible_name?: string | null;
    aria_label?: string | null;
    title?: string | null;
    href?: string | null;
  } | null;
  page_context?: { url?: string | null } | null;
  action_data?: {
    input_value?: string | null;
    value_masked?: boolean | null;
    value_kind?: ValueKind | null;
    value_from?: number | null;
  } | null;
}

/** Shorter values ("ok", "a") show up by chance. */
export const MIN_LINKED_VALUE = 3;

interface Source {
  index: number;
  stepNumber: number;
  /** The value, normalised to words. */
  words: string;
  /** Free only if it shows up later (a plain text input no rule recognised). */
  tentative: boolean;
}

function sourceOf<S extends LinkableStep>(step: S, index: number): Source | null {
  const data = step.action_data;
  const value = data?.input_value?.trim() ?? '';
  if (!data || data.value_masked || value.length < MIN_LINKED_VALUE) return null;
  const norm = normalizeText(value);
  if (!norm) return null;
  if (data.value_kind === 'free') return { index, stepNumber: step.step_number, words: norm, tentative: false };
  // A plain text input that only the default made fixed. A number alone (an amount, an id) that
  // reappears is more likely the task's own value than a made-up one, so it stays fixed.
  const meta = step.element_meta;
  const type = (meta?.type || 'text').toLowerCase();
  const plainText = step.action_type === 'input_commit' && (meta?.tag_name || '').toLowerCase() === 'input' && type === 'text';
  if (plainText && (data.value_kind ?? 'fixed') === 'fixed' && !/^[\d\s.,:/-]+$/.test(value)) {
    return { index, stepNumber: step.step_number, words: norm, tentative: true };
  }
  return null;
}

function decoded(url: string): string {
  try {
    return decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    return url;
  }
}

/**
 * The words a step's target shows: its text, names and link, and for a navigation the address it
 * goes to (decoded, so a slug `/pages/q3-report` or `?q=q3%20report` reads "q3 report"), each
 * padded for whole-word search. The page a click happens on is not its target: an "Edit" button on
 * the page just created does not show the title (and its label must not become "the item you
 * created").
 */
function shownWords(step: LinkableStep): string[] {
  const m = step.element_meta;
  const texts = [m?.inner_text, m?.accessible_name, m?.aria_label, m?.title].map(normalizeText);
  const target = step.action_type === 'navigate' ? step.page_context?.url : null;
  const urls = [m?.href, target].map((u) => (u ? normalizeText(decoded(u)) : ''));
  return [...texts, ...urls].filter(Boolean).map((w) => ` ${w} `);
}

/**
 * For each step, the latest earlier free step whose value (≥ 3 characters, not masked) its
 * target shows, whole words, case and punctuation aside: in its text, accessible name, aria-label,
 * title or link, or the address a navigation goes to. That step's `action_data.value_from` is set to the earlier step's
 * `step_number`; a plain text input that was `fixed` only by default becomes `free` when its
 * value shows up like that. Returns new steps (the input is not changed); steps with nothing to
 * link are returned as they were.
 */
export function linkValues<S extends LinkableStep>(steps: readonly S[]): S[] {
  const out = [...steps];
  const sources: Source[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const shown = sources.length ? shownWords(step) : [];
    // The latest earlier source first.
    for (let k = sources.length - 1; k >= 0 && shown.length; k--) {
      const src = sources[k]!;
      const needle = ` ${src.words} `;
      if (!shown.some((w) => w.includes(needle))) continue;
      out[i] = { ...out[i]!, action_data: { ...(out[i]!.action_data ?? {}), value_from: src.stepNumber } };
      if (src.tentative) {
        const from = out[src.index]!;
        out[src.index] = { ...from, action_data: { ...from.action_data, value_kind: 'free' } };
        src.tentative = false;
      }
      break;
    }
    const src = sourceOf(step, i);
    if (src) sources.push(src);
  }
  return out;
}
