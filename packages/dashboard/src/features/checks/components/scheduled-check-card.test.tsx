import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CheckRun, Step, WorkflowCheck, WorkflowDetail } from '../../../lib/schemas';
import { apiError, installFakeFetch, json, ok, type FakeHandler } from '../../../testing/fake-fetch';
import { makeCheckRun, makeDetail, makeHealth, makeMe, makeStep, makeWorkflowCheck } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';
import { checkNowBlocked, checkUpdate } from './scheduled-check-card';
import { noReplayDraft } from './replay-values';

const replaySteps: Step[] = [
  makeStep({ step_number: 1 }),
  makeStep({ step_number: 2, action_type: 'input_commit', field_label: 'Password', action_data: { value_kind: 'personal', value_masked: true } }),
  makeStep({ step_number: 3, action_type: 'input_commit', field_label: 'Title', action_data: { value_kind: 'free', input_value: 'Q3 report' } }),
  makeStep({ step_number: 4, action_type: 'select_change', field_label: 'Plan', action_data: { value_kind: 'fixed', input_value: 'Pro' } }),
  // Masked without a kind: personal, as the contract says.
  makeStep({ step_number: 5, action_type: 'input_commit', field_label: 'PIN', action_data: { value_masked: true } }),
];

const runsPage = (runs: CheckRun[] = []) => ok(runs, { total: runs.length, limit: 20, offset: 0 });

/** The health page of workflow 10 with its scheduled check; `put` answers the card's saves. */
async function openCard({ check = makeWorkflowCheck(), detail = makeDetail({ status: 'active' }), put, extra = {} }: { check?: WorkflowCheck; detail?: WorkflowDetail; put?: FakeHandler; extra?: Record<string, FakeHandler> } = {}) {
  signInAs(makeMe());
  const fake = installFakeFetch({
    'GET /api/workflows/10': () => ok(detail),
    'GET /api/workflows/10/health': () => ok(makeHealth()),
    'GET /api/workflows/10/check': () => ok(check),
    'GET /api/workflows/10/check-runs': () => runsPage(),
    'PUT /api/workflows/10/check': put ?? ((req) => ok({ ...check, ...(req.body as object) })),
    ...extra,
  });
  const utils = renderApp('/workflows/10/health');
  const card = await screen.findByRole('region', { name: 'Scheduled check' });
  const puts = () => fake.calls.filter((c) => c.method === 'PUT').map((c) => c.body);
  return { ...fake, ...utils, card, puts };
}

const validation = (pointer: string, message: string) => apiError(422, 'VALIDATION_ERROR', 'The request is not valid', { errors: [{ pointer, message }] });

describe('scheduled check card', () => {
  it('shows where the check stands: never checked, off, not scheduled, the safe mode by default', async () => {
    const { card } = await openCard();
    expect(within(card).getByTestId('check-status').textContent).toBe('Never checked');
    expect(within(card).getByTestId('check-last-run').textContent).toBe('Never');
    expect(within(card).getByTestId('check-next-run').textContent).toBe('Not scheduled');
    expect(within(card).getByRole('switch', { name: 'Check on a schedule' }).getAttribute('aria-checked')).toBe('false');
    expect((within(card).getByLabelText('Every') as HTMLSelectElement).value).toBe('60');
    expect(within(card).getAllByRole('option').map((o) => o.textContent)).toEqual(['15 min', '30 min', '1 h', '2 h', '6 h', '12 h', '24 h']);
    expect((within(card).getByRole('radio', { name: /^Locate — safe/ }) as HTMLInputElement).checked).toBe(true);
    expect(within(card).queryByText('Replay changes data in the app')).toBeNull();
    expect((within(card).getByRole('button', { name: 'Save check settings' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows the last result, when it ran (linking to its filmstrip) and the next run', async () => {
    const check = makeWorkflowCheck({ enabled: true, status: 'at_risk', last_run_id: 55, last_run_at: '2026-11-25T10:00:00Z', next_run_at: '2026-11-25T11:00:00Z' });
    const { card } = await openCard({ check });
    expect(within(card).getByTestId('check-status').textContent).toBe('At risk');
    expect(within(card).getByTestId('check-last-run').textContent).toMatch(/^25 Nov 2026, 10:00 · View/);
    expect(within(card).getByRole('link', { name: 'View the last check' }).getAttribute('href')).toBe('/workflows/10/checks/55');
    expect(within(card).getByTestId('check-next-run').textContent).toBe('25 Nov 2026, 11:00');
  });

  it.each([
    ['passed', 'Passed'],
    ['session_expired', 'Session expired'],
    ['error', 'Error'],
  ] as const)('names the status %s', async (status, label) => {
    const { card } = await openCard({ check: makeWorkflowCheck({ status }) });
    expect(within(card).getByTestId('check-status').textContent).toBe(label);
    if (status === 'session_expired') expect(within(card).getByText(/Save a session for checks/)).toBeTruthy();
  });

  it('says when an enabled check waits for the workflow to be published', async () => {
    const { card } = await openCard({ check: makeWorkflowCheck({ enabled: true }), detail: makeDetail({ status: 'needs_review' }) });
    expect(within(card).getByTestId('check-next-run').textContent).toBe('When the workflow is published');
  });

  it('turns the schedule on at once with PUT {enabled}', async () => {
    const { card, puts } = await openCard({ put: (req) => ok(makeWorkflowCheck({ enabled: (req.body as { enabled: boolean }).enabled, next_run_at: '2026-11-25T11:00:00Z' })) });
    const toggle = within(card).getByRole('switch', { name: 'Check on a schedule' });
    fireEvent.click(toggle);
    expect(await screen.findByText('Scheduled check on')).toBeTruthy();
    expect(puts()).toEqual([{ enabled: true }]);
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'));
    expect(within(card).getByTestId('check-next-run').textContent).toBe('25 Nov 2026, 11:00');
  });

  it('a refused toggle is explained beside the switch, which keeps the saved state', async () => {
    const { card } = await openCard({ put: () => apiError(403, 'FORBIDDEN', 'Only admins can change checks.') });
    const toggle = within(card).getByRole('switch', { name: 'Check on a schedule' });
    fireEvent.click(toggle);
    const alert = await within(card).findByRole('alert');
    expect(alert.textContent).toBe('Only admins can change checks.');
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    expect(toggle.getAttribute('aria-describedby')).toBe(alert.id);
  });

  it('saves only what changed: the interval and the mode', async () => {
    const { card, puts } = await openCard();
    fireEvent.change(within(card).getByLabelText('Every'), { target: { value: '360' } });
    const save = within(card).getByRole('button', { name: 'Save check settings' }) as HTMLButtonElement;
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    expect(await screen.findByText('Check settings saved')).toBeTruthy();
    expect(puts()).toEqual([{ interval_minutes: 360 }]);
    await waitFor(() => expect(save.disabled).toBe(true));
    expect((within(card).getByLabelText('Every') as HTMLSelectElement).value).toBe('360');
  });

  it('shows the server’s refusal next to the field it names, and keeps the choice', async () => {
    const { card } = await openCard({ put: () => validation('/interval_minutes', 'must be at least 15') });
    const every = within(card).getByLabelText('Every') as HTMLSelectElement;
    fireEvent.change(every, { target: { value: '15' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save check settings' }));
    const message = await within(card).findByText('Must be at least 15');
    expect(every.getAttribute('aria-invalid')).toBe('true');
    expect(every.getAttribute('aria-describedby')).toBe(message.id);
    expect(every.value).toBe('15');
    expect(screen.queryByText('Check settings saved')).toBeNull();
  });

  it('shows a refusal that names no field of the form above Save, with its request id', async () => {
    const { card } = await openCard({ put: () => apiError(503, 'OVERLOADED', 'busy') });
    fireEvent.change(within(card).getByLabelText('Every'), { target: { value: '30' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save check settings' }));
    expect(await within(card).findByText('The server is busy. Please try again shortly.')).toBeTruthy();
    expect(within(card).getByText(/^Request ID: req-/)).toBeTruthy();
  });

  it('an interval the server holds that is not in the list is still shown', async () => {
    const { card } = await openCard({ check: makeWorkflowCheck({ interval_minutes: 90 }) });
    expect((within(card).getByLabelText('Every') as HTMLSelectElement).value).toBe('90');
    expect(within(card).getByRole('option', { name: '1 h 30 min' })).toBeTruthy();
  });

  it('replay warns that it changes data and asks for the personal and free steps’ values (write-only)', async () => {
    const check = makeWorkflowCheck({ value_step_ids: [102] });
    const { card, puts } = await openCard({ check, detail: makeDetail({ status: 'active' }, replaySteps), put: () => ok({ ...check, mode: 'replay', value_step_ids: [102, 103] }) });
    fireEvent.click(within(card).getByRole('radio', { name: /^Replay — performs every step/ }));
    expect(within(card).getByText('Replay changes data in the app').closest('[role="status"]')?.textContent).toMatch(/creates or changes records.*test or staging/);

    const values = within(card).getByRole('group', { name: 'Values for replay' });
    // Only the personal and free steps that type or choose a value; not the click, not the fixed select.
    expect(within(values).getAllByRole('listitem').map((li) => li.getAttribute('data-testid'))).toEqual(['replay-value-102', 'replay-value-103', 'replay-value-105']);
    const password = within(values).getByLabelText(/^Step 2: Password/) as HTMLInputElement;
    const title = within(values).getByLabelText(/^Step 3: Title/) as HTMLInputElement;
    expect(password.type).toBe('password');
    expect(password.value).toBe('');
    expect(password.placeholder).toBe('Set: type to replace');
    expect(title.type).toBe('text');
    expect(within(screen.getByTestId('replay-value-102')).getByTestId('replay-value-state').textContent).toBe('Set');
    expect(within(screen.getByTestId('replay-value-103')).getByTestId('replay-value-state').textContent).toBe('Not set');
    expect(within(values).getByText('2 steps have no value: a replay ends with an error at the first of them.')).toBeTruthy();

    fireEvent.change(title, { target: { value: 'Check from Stepwise' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save check settings' }));
    expect(await screen.findByText('Check settings saved')).toBeTruthy();
    expect(puts()).toEqual([{ mode: 'replay', values: { '103': 'Check from Stepwise' } }]);
    // The value is never shown again: the field empties and says it is set.
    await waitFor(() => expect(within(screen.getByTestId('replay-value-103')).getByTestId('replay-value-state').textContent).toBe('Set'));
    expect((within(card).getByLabelText(/^Step 3: Title/) as HTMLInputElement).value).toBe('');
  });

  it('Clear sends null for a set value, and Undo takes it back', async () => {
    const check = makeWorkflowCheck({ mode: 'replay', value_step_ids: [102, 103] });
    const { card, puts } = await openCard({ check, detail: makeDetail({ status: 'active' }, replaySteps), put: () => ok({ ...check, value_step_ids: [103] }) });
    const save = within(card).getByRole('button', { name: 'Save check settings' }) as HTMLButtonElement;
    fireEvent.click(within(card).getByRole('button', { name: 'Clear the value of Step 2: Password' }));
    expect(within(screen.getByTestId('replay-value-102')).getByTestId('replay-value-state').textContent).toBe('Removed on save');
    fireEvent.click(within(card).getByRole('button', { name: 'Keep the value of Step 2: Password' }));
    expect(save.disabled).toBe(true);
    fireEvent.click(within(card).getByRole('button', { name: 'Clear the value of Step 2: Password' }));
    fireEvent.click(save);
    expect(await screen.findByText('Check settings saved')).toBeTruthy();
    expect(puts()).toEqual([{ values: { '102': null } }]);
    await waitFor(() => expect(within(screen.getByTestId('replay-value-102')).getByTestId('replay-value-state').textContent).toBe('Not set'));
  });

  it('a refused value is shown under its own field', async () => {
    const check = makeWorkflowCheck({ mode: 'replay' });
    const { card } = await openCard({ check, detail: makeDetail({ status: 'active' }, replaySteps), put: () => validation('/values/103', 'must be at most 1000 characters') });
    const title = within(card).getByLabelText(/^Step 3: Title/) as HTMLInputElement;
    fireEvent.change(title, { target: { value: 'x' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save check settings' }));
    const message = await within(card).findByText('Must be at most 1000 characters');
    expect(title.getAttribute('aria-invalid')).toBe('true');
    expect(title.getAttribute('aria-describedby')).toBe(message.id);
    expect(title.value).toBe('x');
  });

  it('Check now queues a run and opens its filmstrip', async () => {
    const run = makeCheckRun({ id: 77, state: 'queued', status: null, started_at: null, finished_at: null, duration_ms: null, steps: [] });
    const { card, calls, router } = await openCard({
      extra: { 'POST /api/workflows/10/check-runs': () => json(202, { data: run, meta: {} }), 'GET /api/check-runs/77': () => ok(makeCheckRun({ id: 77, steps: [] })) },
    });
    fireEvent.click(within(card).getByRole('button', { name: 'Check now' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/workflows/10/checks/77'));
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url.pathname)).toEqual(['/api/workflows/10/check-runs']);
  });

  it('Check now explains a refusal in the card', async () => {
    const { card } = await openCard({ extra: { 'POST /api/workflows/10/check-runs': () => apiError(409, 'CONFLICT', 'The workflow has no steps to check.') } });
    fireEvent.click(within(card).getByRole('button', { name: 'Check now' }));
    const alert = await within(card).findByRole('alert');
    expect(alert.textContent).toContain('The check could not be started');
    expect(alert.textContent).toContain('The workflow has no steps to check.');
  });

  it('Check now is off for an archived workflow, and says why', async () => {
    const { card } = await openCard({ detail: makeDetail({ status: 'archived' }) });
    expect((within(card).getByRole('button', { name: 'Check now' }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(card).getByText('An archived workflow is not checked.')).toBeTruthy();
  });
});

describe('what the card sends', () => {
  const check = makeWorkflowCheck({ interval_minutes: 60, mode: 'locate' });

  it.each([
    ['nothing changed', { interval: 60, mode: 'locate' as const, values: noReplayDraft }, null],
    ['the interval', { interval: 15, mode: 'locate' as const, values: noReplayDraft }, { interval_minutes: 15 }],
    ['the mode', { interval: 60, mode: 'replay' as const, values: noReplayDraft }, { mode: 'replay' }],
    ['values typed, and cleared ones as null', { interval: 60, mode: 'replay' as const, values: { typed: { '103': 'T', '105': '' }, cleared: [102] } }, { mode: 'replay', values: { '102': null, '103': 'T' } }],
    ['no values while locate is chosen', { interval: 60, mode: 'locate' as const, values: { typed: { '103': 'T' }, cleared: [102] } }, null],
  ])('%s', (_what, form, expected) => {
    expect(checkUpdate(check, form).update).toEqual(expected);
  });

  it('refuses a value longer than the contract allows before asking', () => {
    expect(checkUpdate(check, { interval: 60, mode: 'replay', values: { typed: { '103': 'x'.repeat(1001) }, cleared: [] } }).errors).toEqual({ 'values.103': 'At most 1000 characters' });
  });

  it('Check now is blocked where the server would refuse it', () => {
    expect(checkNowBlocked({ status: 'processing', steps: replaySteps })).toMatch(/being labeled/);
    expect(checkNowBlocked({ status: 'archived', steps: replaySteps })).toMatch(/archived/);
    expect(checkNowBlocked({ status: 'active', steps: [] })).toMatch(/no steps/);
    expect(checkNowBlocked({ status: 'needs_review', steps: replaySteps })).toBeNull();
  });
});
