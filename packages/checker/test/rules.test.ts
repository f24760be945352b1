// The checker's pure decisions and the protocol's validation, without a browser.
import { describe, expect, test } from 'vitest';
import { parseLine, type CheckStep, type HealDecision, type SelectorVariant } from '../src/protocol.js';
import { doneStatus, healVerdict, isNonMutating, isSignInUrl, looksSignedOut, pageKey, Reachability, recordingHadPassword, replayValue, type ClickFacts } from '../src/rules.js';
import { planVariants } from '../src/variants.js';

const sel = (primary: string) => ({ primary, css: null, xpath: null, data_testid: null, stable_attrs: null });
const meta = (over: Partial<CheckStep['element_meta']> = {}) => ({ tag_name: 'BUTTON', role: 'button', type: null, name: null, classes: [], ...over }) as CheckStep['element_meta'];

function step(over: Partial<CheckStep> = {}): CheckStep {
  return { id: 1, step_number: 1, action_type: 'click', selectors: sel('#save'), element_meta: meta(), page_context: { url: 'http://app.test/settings' }, action_data: null, ...over };
}

function variant(over: Partial<SelectorVariant>): SelectorVariant {
  return { id: 1, source: 'healed', status: 'shared', preferred: false, selectors: sel('#x'), element_meta: null, method: 'deterministic', confidence: 0.9, page_state_hash: null, created_at: null, created_by: null, votes: [], ...over };
}

describe('planVariants (a walker who is nobody in particular)', () => {
  test('no variants: the recorded selectors', () => {
    expect(planVariants(step(), 'h').variants.map((v) => v.selectors.primary)).toEqual(['#save']);
  });

  test('confirmed for this page state first, then preferred, recorded, other shared; never pending; rejected refused', () => {
    const plan = planVariants(
      step({
        selector_variants: [
          variant({ id: null, source: 'recorded', method: 'recorded', selectors: sel('#recorded') }),
          variant({ id: 2, selectors: sel('#shared-other') }),
          variant({ id: 3, selectors: sel('#pending'), status: 'pending' }),
          variant({ id: 4, selectors: sel('#rejected'), status: 'rejected' }),
          variant({ id: 5, selectors: sel('#preferred'), preferred: true }),
          variant({ id: 6, selectors: sel('#here'), page_state_hash: 'state-1' }),
        ],
      }),
      'state-1',
    );
    expect(plan.variants.map((v) => v.selectors.primary)).toEqual(['#here', '#preferred', '#recorded', '#shared-other']);
    expect(plan.rejected).toEqual(['#rejected']);
  });

  test('only pending and rejected variants: the recorded selectors still', () => {
    const plan = planVariants(step({ selector_variants: [variant({ status: 'pending', selectors: sel('#p') })] }), '');
    expect(plan.variants.map((v) => v.selectors.primary)).toEqual(['#save']);
  });
});

describe('isNonMutating', () => {
  const facts = (over: Partial<ClickFacts>): ClickFacts => ({ tag: 'button', role: 'button', linkHref: null, linkDownloads: false, pageOrigin: 'http://app.test', hasPopup: false, expanded: false, inSummary: false, submits: false, ...over });
  const click = step();

  test('navigate steps and same-origin links are performed', () => {
    expect(isNonMutating(step({ action_type: 'navigate' }), null).perform).toBe(true);
    expect(isNonMutating(click, facts({ tag: 'a', role: 'link', linkHref: 'http://app.test/members' })).perform).toBe(true);
  });

  test('links elsewhere, downloads, sign-out and script links are not', () => {
    expect(isNonMutating(click, facts({ linkHref: 'http://other.test/members' })).perform).toBe(false);
    expect(isNonMutating(click, facts({ linkHref: 'http://app.test/report.csv', linkDownloads: true })).perform).toBe(false);
    expect(isNonMutating(click, facts({ linkHref: 'http://app.test/logout' })).perform).toBe(false);
    expect(isNonMutating(click, facts({ linkHref: 'javascript:void(0)' })).perform).toBe(false);
  });

  test('tabs and menu or disclosure openers are performed; a menu item that is a button is not', () => {
    expect(isNonMutating(click, facts({ role: 'tab' })).perform).toBe(true);
    expect(isNonMutating(click, facts({ hasPopup: true })).perform).toBe(true);
    expect(isNonMutating(click, facts({ expanded: true })).perform).toBe(true);
    expect(isNonMutating(click, facts({ tag: 'summary', inSummary: true })).perform).toBe(true);
    expect(isNonMutating(click, facts({ role: 'menuitem' })).perform).toBe(false);
    expect(isNonMutating(click, facts({ role: 'menuitem', linkHref: 'http://app.test/export' })).perform).toBe(true);
  });

  test('buttons, submits, typing and choosing are not', () => {
    expect(isNonMutating(click, facts({})).perform).toBe(false);
    expect(isNonMutating(click, facts({ submits: true, expanded: true })).perform).toBe(false);
    for (const action of ['input_commit', 'select_change', 'submit'] as const) expect(isNonMutating(step({ action_type: action }), facts({ role: 'tab' })).perform).toBe(false);
  });
});

describe('healVerdict', () => {
  const ok = { contradicts: false, mayUse: true, connected: true };
  const decision = (over: Partial<HealDecision>): HealDecision => ({ found: true, selector: '#x', confidence: 0.9, method: 'deterministic', should_update: false, candidate_index: 0, ask_user: false, ...over });

  test("the server's choice is used, with its method", () => {
    expect(healVerdict({ winner: false, ask: null, candidates: [ok, ok] }, decision({ candidate_index: 1, method: 'ai_assisted' }))).toEqual({ outcome: 'healed', method: 'ai_assisted', index: 1 });
    expect(healVerdict({ winner: true, ask: null, candidates: [ok] }, decision({ method: 'cached' }))).toEqual({ outcome: 'healed', method: 'deterministic', index: 0 });
  });

  test('ask_user, or a name that does not agree without the AI, leaves it uncertain', () => {
    expect(healVerdict({ winner: false, ask: null, candidates: [ok] }, decision({ ask_user: true }))).toEqual({ outcome: 'uncertain', index: 0 });
    expect(healVerdict({ winner: false, ask: null, candidates: [{ ...ok, mayUse: false }] }, decision({}))).toEqual({ outcome: 'uncertain', index: 0 });
  });

  test('no decision: a clear winner is healed deterministically; else the ask candidate is uncertain; else not found', () => {
    expect(healVerdict({ winner: true, ask: null, candidates: [ok] }, null)).toEqual({ outcome: 'healed', method: 'deterministic', index: 0 });
    expect(healVerdict({ winner: false, ask: 1, candidates: [ok, ok] }, null)).toEqual({ outcome: 'uncertain', index: 1 });
    expect(healVerdict({ winner: false, ask: null, candidates: [ok] }, null)).toEqual({ outcome: 'not_found' });
  });

  test('the server found nothing, or chose a candidate that contradicts the recording without the AI', () => {
    expect(healVerdict({ winner: false, ask: null, candidates: [ok] }, decision({ found: false, candidate_index: null }))).toEqual({ outcome: 'not_found' });
    expect(healVerdict({ winner: false, ask: 0, candidates: [ok] }, decision({ found: false, candidate_index: null }))).toEqual({ outcome: 'uncertain', index: 0 });
    expect(healVerdict({ winner: false, ask: null, candidates: [{ ...ok, contradicts: true }] }, decision({}))).toEqual({ outcome: 'not_found' });
    expect(healVerdict({ winner: false, ask: null, candidates: [{ ...ok, contradicts: true }] }, decision({ method: 'ai_assisted' }))).toEqual({ outcome: 'healed', method: 'ai_assisted', index: 0 });
    expect(healVerdict({ winner: true, ask: null, candidates: [ok] }, decision({ found: false, candidate_index: null }))).toEqual({ outcome: 'uncertain', index: 0 });
  });
});

describe('signed out', () => {
  test('sign-in words in the path or the first host label', () => {
    for (const u of ['http://a.test/login?next=/x', 'http://a.test/users/sign_in', 'http://a.test/auth/realms/x', 'http://sso.a.test/', 'http://a.test/oauth2/authorize', 'http://a.test/sign-in']) expect(isSignInUrl(u)).toBe(true);
    for (const u of ['http://a.test/authors', 'http://a.test/assortment', 'http://a.test/settings', 'http://blogging.a.test/x']) expect(isSignInUrl(u), u).toBe(false);
  });

  test("a sign-in page where the recording had none; the recording's own sign-in page is not", () => {
    expect(looksSignedOut({ url: 'http://a.test/login', passwordVisible: true }, 'http://a.test/settings', false)).toBe(true);
    expect(looksSignedOut({ url: 'http://a.test/login', passwordVisible: true }, 'http://a.test/login', true)).toBe(false);
    expect(looksSignedOut({ url: 'http://a.test/settings', passwordVisible: true }, 'http://a.test/settings', false)).toBe(true);
    expect(looksSignedOut({ url: 'http://a.test/settings', passwordVisible: true }, 'http://a.test/settings', true)).toBe(false);
    expect(looksSignedOut({ url: 'http://a.test/settings', passwordVisible: false }, 'http://a.test/settings', false)).toBe(false);
  });

  test('the recording had a password field on a page when a step there typed into one', () => {
    const steps = [step({ action_type: 'input_commit', element_meta: meta({ tag_name: 'INPUT', type: 'password' }), page_context: { url: 'http://a.test/account?tab=2' } })];
    expect(recordingHadPassword(steps, 'http://a.test/account')).toBe(true);
    expect(recordingHadPassword(steps, 'http://a.test/settings')).toBe(false);
  });
});

describe('replayValue', () => {
  const input = (data: CheckStep['action_data'], m = meta({ tag_name: 'INPUT', role: 'textbox' })) => step({ id: 9, action_type: 'input_commit', action_data: data, element_meta: m });

  test("the check's value first, else a fixed step's recorded value", () => {
    expect(replayValue(input({ input_value: 'rec', value_kind: 'free' }), { '9': 'mine' })).toEqual({ value: 'mine' });
    expect(replayValue(input({ input_value: 'Europe/Berlin', value_kind: 'fixed' }), {})).toEqual({ value: 'Europe/Berlin' });
    expect(replayValue(input({ input_value: 'Europe/Berlin' }), {})).toEqual({ value: 'Europe/Berlin' });
  });

  test('a personal or free step without a value, or a masked one, is an error; a click takes none', () => {
    expect(replayValue(input({ input_value: 'rec', value_kind: 'free' }), {})).toHaveProperty('error');
    expect(replayValue(input({ input_value: null, value_masked: true }), {})).toHaveProperty('error');
    expect(replayValue(step(), {})).toBeNull();
  });
});

test('Reachability: a step not found after a mutating step not performed on its page, or on the page it led to', () => {
  const r = new Reachability();
  const submit = step({ action_type: 'submit', page_context: { url: 'http://a.test/new' } });
  const after = step({ page_context: { url: 'http://a.test/teams/17' } });
  expect(r.unreachable('http://a.test/new', step())).toBe(false);
  r.skipped('http://a.test/new?x=1', submit, after);
  expect(r.unreachable('http://a.test/new', step())).toBe(true);
  expect(r.unreachable('http://a.test/other', after)).toBe(true);
  expect(r.unreachable('http://a.test/other', step({ page_context: { url: 'http://a.test/other' } }))).toBe(false);
});

test('doneStatus and pageKey', () => {
  expect(doneStatus(['found', 'healed', 'unreachable'])).toBe('passed');
  expect(doneStatus(['found', 'uncertain'])).toBe('at_risk');
  expect(doneStatus(['not_found'])).toBe('at_risk');
  expect(pageKey('http://a.test:8080/x/y?q=1#h')).toBe('http://a.test:8080/x/y');
  expect(pageKey('about:blank')).toBe('');
});

describe('parseLine', () => {
  const check = { type: 'check', id: '17', mode: 'locate', timeout_ms: 5000, proxy: 'http://127.0.0.1:4100', viewport: { width: 1280, height: 800 }, session: null, values: {}, workflow: { id: 1, name: 'w', starting_url: 'http://a.test/', steps: [step()] } };

  test('a check message, normalised', () => {
    const p = parseLine(JSON.stringify({ ...check, id: 17, mode: undefined }));
    expect(p.kind).toBe('message');
    if (p.kind === 'message' && p.message.type === 'check') {
      expect(p.message.id).toBe('17');
      expect(p.message.mode).toBe('locate');
      expect(p.message.workflow.steps[0]!.selectors.primary).toBe('#save');
    }
  });

  test('bad lines are errors, with the id when there is one; unknown types are ignored', () => {
    expect(parseLine('not json').kind).toBe('invalid');
    expect(parseLine('[1,2]').kind).toBe('invalid');
    expect(parseLine(JSON.stringify({ ...check, workflow: { steps: [{ id: 'x' }] } }))).toMatchObject({ kind: 'invalid', id: '17' });
    expect(parseLine(JSON.stringify({ ...check, proxy: 'file:///etc/passwd' }))).toMatchObject({ kind: 'invalid', id: '17' });
    expect(parseLine(JSON.stringify({ ...check, mode: 'delete' }))).toMatchObject({ kind: 'invalid' });
    expect(parseLine(JSON.stringify({ type: 'heal_result', id: '17' })).kind).toBe('invalid');
    expect(parseLine(JSON.stringify({ type: 'something_newer', id: '17' }))).toEqual({ kind: 'ignored', type: 'something_newer' });
    expect(parseLine(JSON.stringify({ type: 'heal_result', id: '17', seq: 2, decision: null }))).toEqual({ kind: 'message', message: { type: 'heal_result', id: '17', seq: 2, decision: null } });
  });
});
