import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeEventSource } from '../../../testing/fake-event-source';
import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../../lib/schemas';
import { apiError, installFakeFetch, json, ok } from '../../../testing/fake-fetch';
import { makeMe, makeWorkflow } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

const many = (n: number): Workflow[] =>
  Array.from({ length: n }, (_, i) => makeWorkflow({ id: i + 1, name: `Workflow ${i + 1}`, total_uses: i, success_rate: 0.5, tags: i % 2 ? ['hr'] : ['billing'] }));

/** A list endpoint that pages, filters by status and searches names, like the server. */
function listOf(all: Workflow[]) {
  return (req: { url: URL }) => {
    const p = req.url.searchParams;
    let items = all;
    if (p.get('status')) items = items.filter((w) => w.status === p.get('status'));
    if (p.get('q')) items = items.filter((w) => w.name.toLowerCase().includes(p.get('q')!.toLowerCase()));
    if (p.get('tag')) items = items.filter((w) => w.tags.includes(p.get('tag')!));
    const limit = Number(p.get('limit'));
    const offset = Number(p.get('offset'));
    return ok(items.slice(offset, offset + limit), { total: items.length, limit, offset });
  };
}

describe('workflows page', () => {
  it('shows each workflow with status, success rate, uses, last run, steps and tags', async () => {
    signInAs(makeMe());
    installFakeFetch({
      'GET /api/workflows': listOf([
        makeWorkflow({ id: 1, name: 'Pay a supplier', status: 'active', success_rate: 0.873, total_uses: 1234, step_count: 7, tags: ['finance', 'ap'], last_successful_run: '2026-11-20T10:00:00Z', last_failed_run: '2026-11-22T09:30:00Z' }),
        makeWorkflow({ id: 2, name: 'New hire', status: 'broken', total_uses: 0 }),
      ]),
    });
    renderApp('/workflows');
    const row = (await screen.findByTestId('workflow-row-1')) as HTMLElement;
    expect(within(row).getByRole('link', { name: 'Pay a supplier' }).getAttribute('href')).toBe('/workflows/1');
    expect(row.textContent).toContain('Active');
    expect(row.textContent).toContain('87%');
    expect(row.textContent).toContain('1,234');
    expect(row.textContent).toContain('22 Nov 2026'); // the later of the two runs
    expect(within(row).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['finance', 'ap']);
    const other = screen.getByTestId('workflow-row-2');
    expect(other.textContent).toContain('Broken');
    expect(other.textContent).toContain('Never');
    expect(screen.getByRole('navigation', { name: 'Workflow pages' }).textContent).toContain('Showing 1–2 of 2');
  });

  it('pages through 1,000 workflows 25 at a time, asking the server for one page each', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({ 'GET /api/workflows': listOf(many(1000)) });
    const { router } = renderApp('/workflows');
    await screen.findByTestId('workflow-row-1');
    expect(screen.getAllByRole('row')).toHaveLength(26);
    const pager = screen.getByRole('navigation', { name: 'Workflow pages' });
    expect(pager.textContent).toContain('Page 1 of 40');
    fireEvent.click(within(pager).getByRole('button', { name: 'Next' }));
    await screen.findByTestId('workflow-row-26');
    expect(router.state.location.search).toBe('?page=2');
    expect(calls.at(-1)?.url.search).toContain('offset=25');
    fireEvent.change(screen.getByLabelText('Per page'), { target: { value: '100' } });
    await screen.findByTestId('workflow-row-100');
    expect(screen.getByRole('navigation', { name: 'Workflow pages' }).textContent).toContain('Page 1 of 10');
  });

  it('searches after typing stops, filters by status and tag, and sorts from the column header', async () => {
    signInAs(makeMe());
    const all = [makeWorkflow({ id: 1, name: 'Pay a supplier', status: 'active', tags: ['finance'] }), makeWorkflow({ id: 2, name: 'New hire', status: 'needs_review', tags: ['hr'] })];
    const { calls } = installFakeFetch({ 'GET /api/workflows': listOf(all) });
    const { router } = renderApp('/workflows');
    await screen.findByTestId('workflow-row-2');
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'supp' } });
    await waitFor(() => expect(screen.queryByTestId('workflow-row-2')).toBeNull());
    expect(screen.getByTestId('workflow-row-1')).toBeTruthy();
    expect(calls.at(-1)?.url.searchParams.get('q')).toBe('supp');
    expect(router.state.location.search).toBe('?q=supp');

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await screen.findByTestId('workflow-row-2');
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'needs_review' } });
    await waitFor(() => expect(screen.queryByTestId('workflow-row-1')).toBeNull());
    expect(calls.at(-1)?.url.searchParams.get('status')).toBe('needs_review');

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    fireEvent.change(await screen.findByLabelText('Tag'), { target: { value: 'finance' } });
    await waitFor(() => expect(calls.at(-1)?.url.searchParams.get('tag')).toBe('finance'));

    const nameHeader = screen.getByRole('columnheader', { name: /Name/ });
    expect(nameHeader.getAttribute('aria-sort')).toBe('none');
    fireEvent.click(within(nameHeader).getByRole('button'));
    await waitFor(() => expect(calls.at(-1)?.url.searchParams.get('sort')).toBe('name'));
    expect(screen.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('ascending');
  });

  it('a filter chosen while a typed search waits keeps both (the search is written onto the new address)', async () => {
    signInAs(makeMe());
    const all = [makeWorkflow({ id: 1, name: 'Pay a supplier', status: 'active' }), makeWorkflow({ id: 2, name: 'Supply audit', status: 'needs_review' })];
    installFakeFetch({ 'GET /api/workflows': listOf(all) });
    const { router } = renderApp('/workflows');
    await screen.findByTestId('workflow-row-2');
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'supp' } });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'needs_review' } });
    await waitFor(() => expect(new URLSearchParams(router.state.location.search).get('q')).toBe('supp'));
    expect(new URLSearchParams(router.state.location.search).get('status')).toBe('needs_review');
    await waitFor(() => expect(screen.queryByTestId('workflow-row-1')).toBeNull());
    expect(screen.getByTestId('workflow-row-2')).toBeTruthy();
  });

  it('with no workflows an admin is shown how to record the first one; a member is told none are published', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/workflows': listOf([]) });
    renderApp('/workflows');
    expect(await screen.findByRole('heading', { name: 'Record your first workflow' })).toBeTruthy();
    expect(screen.getByText('Install the extension')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Import recording' })).toBeTruthy();
  });

  it('a member sees no status filter and no import', async () => {
    signInAs(makeMe({ role: 'regular' }));
    installFakeFetch({ 'GET /api/workflows': listOf([]) });
    renderApp('/workflows');
    expect(await screen.findByRole('heading', { name: 'No workflows published yet' })).toBeTruthy();
    expect(screen.queryByLabelText('Status')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Import recording' })).toBeNull();
  });

  it('says when nothing matches, with a way back', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/workflows': listOf([makeWorkflow({ id: 1, name: 'Pay' })]) });
    renderApp('/workflows?q=zzz');
    expect(await screen.findByText('No workflows match')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Clear search and filters' }));
    expect(await screen.findByTestId('workflow-row-1')).toBeTruthy();
  });

  it('shows an error with a retry', async () => {
    signInAs(makeMe());
    let fail = true;
    installFakeFetch({ 'GET /api/workflows': (req) => (fail ? apiError(500, 'INTERNAL_ERROR', 'Something went wrong on our side.') : listOf([makeWorkflow()])(req)) });
    renderApp('/workflows');
    expect(await screen.findByText('Workflows could not be loaded')).toBeTruthy();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('workflow-row-10')).toBeTruthy();
  });

  it('imports a DevTools recording and refreshes the list', async () => {
    signInAs(makeMe());
    let all: Workflow[] = [];
    const { calls } = installFakeFetch({
      'GET /api/workflows': (req) => listOf(all)(req),
      'POST /api/workflows/import': (req) => {
        all = [makeWorkflow({ id: 7, name: (req.body as { title: string }).title, status: 'processing' })];
        return json(201, { data: { workflow_id: 7, status: 'processing' }, meta: {} });
      },
    });
    renderApp('/workflows');
    await screen.findByRole('heading', { name: 'Record your first workflow' });
    const recording = { title: 'Checkout', steps: [{ type: 'navigate', url: 'https://shop.example.com' }] };
    const file = new File([JSON.stringify(recording)], 'checkout.json', { type: 'application/json' });
    fireEvent.change(screen.getByTestId('import-file'), { target: { files: [file] } });
    expect(await screen.findByText('Recording imported')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual(recording);
    expect(await screen.findByRole('link', { name: 'Checkout' })).toBeTruthy();
  });

  it('refuses a file that is not a recording before sending it, and shows the server’s refusal', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({
      'GET /api/workflows': listOf([]),
      'POST /api/workflows/import': () => apiError(422, 'VALIDATION_ERROR', 'The request is not valid.', { errors: [{ pointer: '/steps/0/type', message: 'unknown step type' }] }),
    });
    renderApp('/workflows');
    await screen.findByRole('heading', { name: 'Record your first workflow' });
    fireEvent.change(screen.getByTestId('import-file'), { target: { files: [new File(['{"hello": 1}'], 'x.json')] } });
    expect(await screen.findByText('This JSON is not a DevTools Recorder recording (it has no "steps").')).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    fireEvent.change(screen.getByTestId('import-file'), { target: { files: [new File(['{"title":"t","steps":[{"type":"hover"}]}'], 'x.json')] } });
    expect(await screen.findByText('/steps/0/type: unknown step type')).toBeTruthy();
  });
});

describe('workflows page, live', () => {
  it('refreshes the page shown when a workflow’s status changes elsewhere', async () => {
    signInAs(makeMe());
    let status: Workflow['status'] = 'processing';
    installFakeFetch({ 'GET /api/workflows': (req) => listOf([makeWorkflow({ id: 1, name: 'Pay', status })])(req) });
    renderApp('/workflows');
    expect((await screen.findByTestId('workflow-row-1')).textContent).toContain('Labeling');
    status = 'needs_review';
    act(() => FakeEventSource.last.emit('workflow_status', { workflow_id: 1, status: 'needs_review' }));
    await waitFor(() => expect(screen.getByTestId('workflow-row-1').textContent).toContain('Needs review'));
  });
});
