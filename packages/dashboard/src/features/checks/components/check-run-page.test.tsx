import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckRun } from '../../../lib/schemas';
import { apiError, installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeCheckRun, makeCheckStep, makeDetail, makeMe } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

const HOSTILE = '<img src=x onerror=alert(1)><script>x</script>';

function openRun(answers: Array<() => Response>) {
  signInAs(makeMe());
  let i = 0;
  const fake = installFakeFetch({
    'GET /api/workflows/10': () => ok(makeDetail()),
    'GET /api/check-runs/55': () => answers[Math.min(i++, answers.length - 1)]!(),
  });
  const utils = renderApp('/workflows/10/checks/55');
  const polls = () => fake.calls.filter((c) => c.url.pathname === '/api/check-runs/55').length;
  return { ...fake, ...utils, polls };
}

const finished = (patch: Partial<CheckRun> = {}) =>
  makeCheckRun({
    status: 'at_risk',
    steps_total: 3,
    steps_found: 1,
    steps_healed: 1,
    steps_missing: 1,
    message: 'Step 3 was not found.',
    steps: [
      makeCheckStep({ step_number: 1 }),
      makeCheckStep({ step_number: 2, outcome: 'healed', method: 'ai_assisted', score: 83.6, time_ms: 1520, field_label: 'Plan' }),
      makeCheckStep({ step_number: 3, outcome: 'not_found', method: null, score: null, box: null, field_label: null, message: 'No element matched.', time_ms: 4000 }),
    ],
    ...patch,
  });

/** jsdom lays nothing out: give images the size the browser would draw them at. */
function drawImagesAt(width: number, height: number) {
  const proto = HTMLImageElement.prototype;
  Object.defineProperty(proto, 'clientWidth', { configurable: true, get: () => width });
  Object.defineProperty(proto, 'clientHeight', { configurable: true, get: () => height });
}

afterEach(() => {
  delete (HTMLImageElement.prototype as { clientWidth?: number }).clientWidth;
  delete (HTMLImageElement.prototype as { clientHeight?: number }).clientHeight;
});

describe('check run filmstrip', () => {
  it('shows the run’s header and per step the screenshot, the element’s box, outcome, method, score, time, page and message', async () => {
    drawImagesAt(640, 400);
    const { polls } = openRun([() => ok(finished())]);
    expect(await screen.findByRole('heading', { level: 1, name: 'Check of Create an invoice' })).toBeTruthy();
    expect((await screen.findByTestId('check-run-status')).textContent).toBe('At risk');
    expect(screen.getByTestId('check-run-trigger').textContent).toBe('Check now');
    expect(screen.getByTestId('check-run-mode').textContent).toBe('Locate');
    expect(screen.getByTestId('check-run-duration').textContent).toBe('12.3 s');
    expect(['total', 'found', 'healed', 'missing'].map((k) => screen.getByTestId(`check-run-${k}`).textContent)).toEqual(['3', '1', '1', '1']);
    expect(screen.getByTestId('check-run-message').textContent).toBe('Step 3 was not found.');
    expect(screen.getByTestId('check-run-progress').textContent).toBe('3 of 3 steps checked.');
    expect(screen.getByRole('link', { name: '← Back to health' }).getAttribute('href')).toBe('/workflows/10/health');

    const steps = within(screen.getByRole('list', { name: 'Steps checked' })).getAllByRole('listitem');
    expect(steps.map((li) => li.getAttribute('aria-labelledby') && document.getElementById(li.getAttribute('aria-labelledby')!)?.textContent)).toEqual([
      'Step 1: Label 1',
      'Step 2: Plan',
      'Step 3: Unlabeled step',
    ]);

    const first = screen.getByTestId('check-step-1');
    const img = within(first).getByRole('img') as HTMLImageElement;
    expect(img.getAttribute('src')).toBe('/api/blobs/check-1.jpg?expires=1&sig=x');
    expect(img.getAttribute('alt')).toBe('The page at Step 1: Label 1, the element outlined');
    fireEvent.load(img);
    // 1280×800 viewport drawn at 640×400: the box {128, 80, 256×40} halves.
    const box = await within(first).findByTestId('check-box');
    expect([box.style.left, box.style.top, box.style.width, box.style.height]).toEqual(['64px', '40px', '128px', '20px']);
    expect(within(first).getByTestId('check-step-outcome').textContent).toBe('Found');
    expect(first.textContent).toContain('Selectors');
    expect(first.textContent).toContain('100 / 100');
    expect(first.textContent).toContain('312 ms');
    expect(first.textContent).toContain('https://app.example.com/billing');

    const second = screen.getByTestId('check-step-2');
    expect(within(second).getByTestId('check-step-outcome').textContent).toBe('Healed');
    expect(second.textContent).toContain('Healed with AI');
    expect(second.textContent).toContain('84 / 100');
    expect(second.textContent).toContain('1,520 ms');

    const third = screen.getByTestId('check-step-3');
    expect(within(third).getByTestId('check-step-outcome').textContent).toBe('Not found');
    expect(within(third).getByTestId('check-step-message').textContent).toBe('No element matched.');
    fireEvent.load(within(third).getByRole('img'));
    expect(within(third).queryByTestId('check-box')).toBeNull();
    expect(polls()).toBe(1);
  });

  it('polls every second until the run has finished, then stops', async () => {
    const { polls } = openRun([
      () => ok(makeCheckRun({ state: 'queued', status: null, started_at: null, finished_at: null, duration_ms: null, steps: [] })),
      () => ok(makeCheckRun({ state: 'running', status: null, finished_at: null, duration_ms: null, steps: [makeCheckStep({ step_number: 1 })] })),
      () => ok(makeCheckRun({ steps: [makeCheckStep({ step_number: 1 }), makeCheckStep({ step_number: 2 })] })),
    ]);
    expect((await screen.findByTestId('check-run-status')).textContent).toBe('Queued');
    expect(screen.getByText('Waiting for the checker to start…')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('check-run-status').textContent).toBe('Running'));
    expect(screen.getByText('Checking… 1 of 2 steps so far.')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('check-run-status').textContent).toBe('Passed'));
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    expect(polls()).toBe(3);
    await new Promise((r) => setTimeout(r, 1300));
    expect(polls()).toBe(3);
  });

  it('says when the run does not exist', async () => {
    openRun([() => apiError(404, 'CHECK_RUN_NOT_FOUND', 'No such check run.')]);
    expect(await screen.findByText('Check run not found')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  });

  it('an address that is not a run’s asks nothing', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({ 'GET /api/workflows/10': () => ok(makeDetail()) });
    renderApp('/workflows/10/checks/abc');
    expect(await screen.findByText('Check run not found')).toBeTruthy();
    expect(calls.some((c) => c.url.pathname.startsWith('/api/check-runs'))).toBe(false);
  });

  it('a failed load stops polling and offers to try again', async () => {
    const { polls } = openRun([() => apiError(503, 'OVERLOADED', 'busy'), () => ok(finished())]);
    expect(await screen.findByText('The check run could not be loaded')).toBeTruthy();
    expect(polls()).toBe(1);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect((await screen.findByTestId('check-run-status')).textContent).toBe('At risk');
  });

  it('says how to fix an expired session', async () => {
    openRun([() => ok(finished({ status: 'session_expired', message: 'Landed on a sign-in page.' }))]);
    expect(await screen.findByText('Save a session again')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Sessions for checks in Settings' }).getAttribute('href')).toBe('/settings');
  });

  it('renders what the server sends as text, never as markup', async () => {
    openRun([
      () =>
        ok(
          finished({
            message: HOSTILE,
            steps: [makeCheckStep({ step_number: 1, field_label: HOSTILE, message: HOSTILE, page_url: `https://x.example/${HOSTILE}`, screenshot_url: null })],
          }),
        ),
    ]);
    const step = await screen.findByTestId('check-step-1');
    expect(within(step).getByRole('heading').textContent).toBe(`Step 1: ${HOSTILE}`);
    expect(within(step).getByTestId('check-step-message').textContent).toBe(HOSTILE);
    expect(screen.getByTestId('check-run-message').textContent).toBe(HOSTILE);
    expect(within(step).getByText('No screenshot was taken of this step.')).toBeTruthy();
    expect(document.body.querySelectorAll('img, script').length).toBe(0);
  });
});
