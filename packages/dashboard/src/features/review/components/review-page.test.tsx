import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Step, WorkflowDetail } from '../../../lib/schemas';
import { FakeEventSource } from '../../../testing/fake-event-source';
import { apiError, installFakeFetch, json } from '../../../testing/fake-fetch';
import { makeDetail, makeMe, makeStep } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

/** A tiny server for one workflow: versions, step edits, deletes, order, status. */
function workflowServer(initial: WorkflowDetail) {
  let w = structuredClone(initial);
  let version = 1;
  const tag = () => `"v${version}"`;
  const stale = (h: Record<string, string>) => h['if-match'] !== undefined && h['if-match'] !== tag();
  const routes = {
    [`GET /api/workflows/${w.id}`]: () => json(200, { data: w, meta: {} }, { ETag: tag() }),
    [`PUT /api/workflows/${w.id}`]: (req: { body: unknown; headers: Record<string, string> }) => {
      if (stale(req.headers)) return apiError(412, 'PRECONDITION_FAILED', 'The workflow changed.');
      version += 1;
      w = { ...w, ...(req.body as object) };
      const { steps: _steps, ...item } = w;
      return json(200, { data: item, meta: {} }, { ETag: tag() });
    },
    [`PUT /api/workflows/${w.id}/steps/order`]: (req: { body: unknown; headers: Record<string, string> }) => {
      if (stale(req.headers)) return apiError(412, 'PRECONDITION_FAILED', 'The workflow changed.');
      version += 1;
      const ids = (req.body as { step_ids: number[] }).step_ids;
      w = { ...w, steps: ids.map((id, i) => ({ ...w.steps.find((s) => s.id === id)!, step_number: i + 1 })) };
      return json(200, { data: w, meta: {} }, { ETag: tag() });
    },
  } as Record<string, (req: { body: unknown; headers: Record<string, string>; url: URL; method: string }) => Response>;
  for (const step of initial.steps) {
    routes[`PATCH /api/workflows/${w.id}/steps/${step.id}`] = (req) => {
      if (stale(req.headers)) return apiError(412, 'PRECONDITION_FAILED', 'The workflow changed.');
      version += 1;
      const { value_kind: kind, ...patch } = req.body as { field_label?: string; instruction?: string; value_kind?: 'personal' | 'free' | 'fixed' };
      let updated: Step | undefined;
      // A new value kind rewrites the texts not edited, as the server's templates do.
      const rewrite = (s: Step): Partial<Step> => {
        if (!kind) return {};
        const words = { personal: 'Enter your username', free: 'Type a title you choose', fixed: `Enter '${s.action_data?.input_value ?? ''}'` }[kind];
        return { action_data: { ...s.action_data, value_kind: kind }, ...(s.instruction_edited ? {} : { instruction: words }), ...(s.label_edited ? {} : { field_label: `${words} (label)` }) };
      };
      w = {
        ...w,
        steps: w.steps.map((s) =>
          s.id === step.id ? (updated = { ...s, ...rewrite(s), ...patch, label_edited: s.label_edited || 'field_label' in patch, instruction_edited: s.instruction_edited || 'instruction' in patch }) : s,
        ),
      };
      return json(200, { data: updated, meta: {} }, { ETag: tag() });
    };
    routes[`DELETE /api/workflows/${w.id}/steps/${step.id}`] = (req) => {
      if (stale(req.headers)) return apiError(412, 'PRECONDITION_FAILED', 'The workflow changed.');
      version += 1;
      w = { ...w, steps: w.steps.filter((s) => s.id !== step.id).map((s, i) => ({ ...s, step_number: i + 1 })) };
      return json(204, null, { ETag: tag() });
    };
  }
  return {
    routes,
    get: () => w,
    /** Another admin saves something. */
    bump: (patch: Partial<WorkflowDetail> = {}) => {
      version += 1;
      w = { ...w, ...patch };
    },
  };
}

describe('review page', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows the steps in order with thumbnails, labels, confidence and edited markers', async () => {
    signInAs(makeMe());
    const srv = workflowServer(
      makeDetail({}, [
        makeStep({ step_number: 1, ai_confidence: 0.95 }),
        makeStep({ step_number: 2, ai_confidence: 0.42, field_label: 'Unsure', label_edited: false }),
        makeStep({ step_number: 3, ai_confidence: null, field_label: null, instruction: null, label_edited: true, screenshot: null }),
      ]),
    );
    installFakeFetch(srv.routes);
    renderApp('/workflows/10');
    expect(await screen.findByRole('heading', { name: 'Create an invoice', level: 1 })).toBeTruthy();
    const steps = screen.getAllByRole('listitem').filter((li) => li.getAttribute('data-testid')?.startsWith('step-'));
    expect(steps.map((li) => within(li).getByRole('heading', { level: 3 }).textContent)).toEqual(['Step 1 · Click', 'Step 2 · Click', 'Step 3 · Click']);
    expect(steps[0]!.querySelector('img')?.getAttribute('src')).toBe('/api/blobs/thumb-1.webp?expires=1&sig=x');
    expect(within(steps[0]!).getByText('AI confidence 95%')).toBeTruthy();
    expect(within(steps[1]!).getByText('⚠ Low confidence 42%')).toBeTruthy();
    expect(steps[1]!.className).toContain('border-amber-300');
    expect(steps[0]!.className).not.toContain('border-amber-300');
    expect(within(steps[2]!).getByText('Not labeled yet')).toBeTruthy();
    expect(within(steps[2]!).getByText('✎ Edited label')).toBeTruthy();
    expect(within(steps[2]!).getByText('No screenshot')).toBeTruthy();
    expect(screen.getByText(/1 step has low AI confidence/)).toBeTruthy();
  });

  it('edits a label in place: Enter saves with If-Match, shows Saved and the edited marker', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail());
    const { calls } = installFakeFetch(srv.routes);
    renderApp('/workflows/10');
    fireEvent.click(await screen.findByRole('button', { name: 'Edit label of step 1' }));
    const input = screen.getByRole('textbox', { name: 'Label of step 1' });
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: '  Customer name  ' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(await screen.findByText('Saved')).toBeTruthy();
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.body).toEqual({ field_label: 'Customer name' });
    expect(patch?.headers['if-match']).toBe('"v1"');
    expect(within(screen.getByTestId('step-101')).getByText('✎ Edited label')).toBeTruthy();
    expect(within(screen.getByTestId('step-101')).getByRole('button', { name: 'Edit label of step 1' }).textContent).toContain('Customer name');
  });

  it('Escape cancels an edit without saving; an empty label is refused', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail());
    const { calls } = installFakeFetch(srv.routes);
    renderApp('/workflows/10');
    fireEvent.click(await screen.findByRole('button', { name: 'Edit instruction of step 2' }));
    const area = screen.getByRole('textbox', { name: 'Instruction of step 2' });
    fireEvent.change(area, { target: { value: 'Something else' } });
    fireEvent.keyDown(area, { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: 'Instruction of step 2' })).toBeNull();
    expect(screen.getByText('Click the button for step 2')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Edit label of step 2' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Label of step 2' }), { target: { value: '   ' } });
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Label of step 2' }), { key: 'Enter' });
    expect(await screen.findByText('Cannot be empty')).toBeTruthy();
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('a change made elsewhere is not overwritten: the edit says not saved, the page offers a reload', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail());
    installFakeFetch(srv.routes);
    renderApp('/workflows/10');
    await screen.findByRole('button', { name: 'Edit label of step 1' });
    srv.bump({ name: 'Renamed by someone else' });
    fireEvent.click(screen.getByRole('button', { name: 'Edit label of step 1' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Label of step 1' }), { target: { value: 'Mine' } });
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Label of step 1' }), { key: 'Enter' });
    expect(await screen.findByText('Not saved: the workflow changed elsewhere')).toBeTruthy();
    expect(screen.getByText('This workflow changed elsewhere')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Edit label of step 1' }).textContent).toContain('Label 1');
    fireEvent.click(screen.getByRole('button', { name: 'Reload workflow' }));
    expect(await screen.findByRole('heading', { name: 'Renamed by someone else', level: 1 })).toBeTruthy();
    expect(screen.queryByText('This workflow changed elsewhere')).toBeNull();
  });

  it('steps that take a value say whose it is; a change saves with If-Match and shows the rewritten instruction', async () => {
    signInAs(makeMe());
    const srv = workflowServer(
      makeDetail({}, [
        makeStep({ step_number: 1, action_type: 'input_commit', action_data: { input_value: 'admin', value_kind: 'personal' }, instruction: 'Enter your username' }),
        makeStep({ step_number: 2, action_type: 'input_commit', action_data: { input_value: 'Q3 Report', value_kind: 'free' }, instruction: 'Type a title you choose' }),
        makeStep({ step_number: 3, action_type: 'click', action_data: { value_from: 2 }, instruction: 'Open the page you just created' }),
        makeStep({ step_number: 4, action_type: 'select_change', action_data: { input_value: 'Globex' }, instruction: "Choose 'Globex'" }),
        makeStep({ step_number: 5, action_type: 'input_commit', action_data: { input_value: null, value_masked: true }, instruction: 'Enter your password' }),
      ]),
    );
    const { calls } = installFakeFetch(srv.routes);
    renderApp('/workflows/10');
    const step = (id: number) => screen.findByTestId(`step-${id}`);
    const checked = async (id: number) => within(await step(id)).getAllByRole('radio').filter((r) => (r as HTMLInputElement).checked).map((r) => r.closest('label')?.textContent);
    expect(await checked(101)).toEqual(['Their own']);
    expect(await checked(102)).toEqual(['They choose']);
    expect(within(await step(103)).queryByRole('radio')).toBeNull(); // a click takes no value
    expect(within(await step(103)).getByTestId('value-from-103').textContent).toMatch(/^Shows the value typed in step 2: each colleague sees their own/);
    expect(within(await step(104)).queryByTestId('value-from-104')).toBeNull();
    expect(await checked(104)).toEqual(['Fixed']); // absent: fixed
    expect(await checked(105)).toEqual(['Their own']); // absent and masked: personal
    expect(within(await step(105)).getByText(/The recorded value was hidden/)).toBeTruthy();
    expect(within(await step(102)).getByText(/You recorded “Q3 Report”/)).toBeTruthy();
    expect(within(await step(101)).getByRole('group', { name: 'Value of step 1' })).toBeTruthy();

    fireEvent.click(within(await step(101)).getByRole('radio', { name: 'Fixed' }));
    expect(await within(await step(101)).findByText('Saved')).toBeTruthy();
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.body).toEqual({ value_kind: 'fixed' });
    expect(patch?.headers['if-match']).toBe('"v1"');
    expect(await checked(101)).toEqual(['Fixed']);
    expect(within(await step(101)).getByText("Enter 'admin'")).toBeTruthy();
    expect(within(await step(101)).queryByText('Enter your username')).toBeNull();

    // The next change carries the ETag the first one answered.
    fireEvent.click(within(await step(104)).getByRole('radio', { name: 'They choose' }));
    expect(await within(await step(104)).findByText('Type a title you choose')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.headers['if-match'])).toEqual(['"v1"', '"v2"']);
    // Choosing the kind it has sends nothing.
    fireEvent.click(within(await step(104)).getByRole('radio', { name: 'They choose' }));
    expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(2);
  });

  it('a value kind changed elsewhere is not overwritten: not saved, the choice goes back, the page offers a reload', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail({}, [makeStep({ step_number: 1, action_type: 'input_commit', action_data: { input_value: 'Q3', value_kind: 'free' } })]));
    installFakeFetch(srv.routes);
    renderApp('/workflows/10');
    const card = await screen.findByTestId('step-101');
    srv.bump();
    fireEvent.click(within(card).getByRole('radio', { name: 'Their own' }));
    expect(await within(card).findByText('Not saved: the workflow changed elsewhere')).toBeTruthy();
    expect((within(card).getByRole('radio', { name: 'They choose' }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText('This workflow changed elsewhere')).toBeTruthy();
  });

  it('deletes a step after confirmation and moves steps with the keyboard-reachable arrows', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail({}, [makeStep({ step_number: 1 }), makeStep({ step_number: 2 }), makeStep({ step_number: 3 })]));
    const { calls } = installFakeFetch(srv.routes);
    renderApp('/workflows/10');
    expect(((await screen.findByRole('button', { name: 'Move step 1 up' })) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Move step 3 up' }));
    await waitFor(() => expect(calls.find((c) => c.url.pathname.endsWith('/steps/order'))?.body).toEqual({ step_ids: [101, 103, 102] }));
    await waitFor(() => expect(within(screen.getByTestId('step-103')).getByRole('heading', { level: 3 }).textContent).toBe('Step 2 · Click'));

    fireEvent.click(screen.getByRole('button', { name: 'Delete step 1' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete step 1?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete step' }));
    expect(await screen.findByText('Step 1 deleted')).toBeTruthy();
    expect(screen.queryByTestId('step-101')).toBeNull();
    expect(within(screen.getByTestId('step-103')).getByRole('heading', { level: 3 }).textContent).toBe('Step 1 · Click');
    expect(srv.get().steps.map((s) => s.id)).toEqual([103, 102]);
  });

  it('approve publishes; archive asks first', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail());
    const { calls } = installFakeFetch(srv.routes);
    renderApp('/workflows/10');
    fireEvent.click(await screen.findByRole('button', { name: 'Approve and publish' }));
    expect(await screen.findByText('Approved: the workflow is active')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ status: 'active' });
    expect(screen.getByText('Active')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Approve and publish' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Archive' }));
    fireEvent.click(within(screen.getByRole('alertdialog', { name: 'Archive this workflow?' })).getByRole('button', { name: 'Archive' }));
    expect(await screen.findByText('Workflow archived')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Restore' })).toBeTruthy();
  });

  it('restores an archived workflow, unpublishes an active one, and re-runs the AI labels with a reload', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail({ status: 'archived' }));
    let relabels = 0;
    const { calls } = installFakeFetch({ ...srv.routes, 'POST /api/workflows/10/relabel': () => (relabels++, json(202, { data: { queued: 3 }, meta: {} })) });
    renderApp('/workflows/10');
    expect(screen.queryByRole('button', { name: 'Re-run AI labels' })).toBeNull();
    fireEvent.click(await screen.findByRole('button', { name: 'Restore' }));
    expect(await screen.findByText('Restored for review')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ status: 'needs_review' }]);

    fireEvent.click(screen.getByRole('button', { name: 'Approve and publish' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Unpublish' }));
    expect(await screen.findByText('Back in review')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ status: 'needs_review' }, { status: 'active' }, { status: 'needs_review' }]);

    const loads = calls.filter((c) => c.method === 'GET').length;
    fireEvent.click(screen.getByRole('button', { name: 'Re-run AI labels' }));
    expect(await screen.findByText('Labeling again')).toBeTruthy();
    expect(relabels).toBe(1);
    await waitFor(() => expect(calls.filter((c) => c.method === 'GET').length).toBe(loads + 1));
  });

  it('an impossible status change is explained', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail());
    installFakeFetch({ ...srv.routes, 'PUT /api/workflows/10': () => apiError(409, 'INVALID_STATUS_TRANSITION', 'A workflow being labeled cannot be published.') });
    renderApp('/workflows/10');
    fireEvent.click(await screen.findByRole('button', { name: 'Approve and publish' }));
    expect(await screen.findByText('A workflow being labeled cannot be published.')).toBeTruthy();
  });

  it('edits name, tags and starting URL, sending only what changed', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail());
    const { calls } = installFakeFetch(srv.routes);
    renderApp('/workflows/10');
    const name = await screen.findByLabelText('Name');
    expect((screen.getByRole('button', { name: 'Save details' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(name, { target: { value: 'Raise an invoice' } });
    fireEvent.change(screen.getByLabelText('Tags'), { target: { value: 'billing, finance, billing,  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save details' }));
    expect(await screen.findByText('Details saved')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ name: 'Raise an invoice', tags: ['billing', 'finance'] });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Raise an invoice');
  });

  it('shows a refused starting URL next to its field', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail());
    installFakeFetch({ ...srv.routes, 'PUT /api/workflows/10': () => apiError(422, 'VALIDATION_ERROR', 'The request is not valid.', { errors: [{ pointer: '/starting_url', message: 'must start with http:// or https://' }] }) });
    renderApp('/workflows/10');
    fireEvent.change(await screen.findByLabelText('Starting URL'), { target: { value: 'ftp://x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save details' }));
    expect(await screen.findByText('Must start with http:// or https://')).toBeTruthy();
    expect(screen.getByLabelText('Starting URL').getAttribute('aria-invalid')).toBe('true');
  });

  it('opens the full screenshot with the target box where the element was', async () => {
    signInAs(makeMe());
    installFakeFetch(workflowServer(makeDetail()).routes);
    renderApp('/workflows/10');
    fireEvent.click(await screen.findByRole('button', { name: 'View the screenshot of step 1' }));
    const dialog = screen.getByRole('dialog', { name: 'Step 1: Label 1 — screenshot' });
    expect(within(dialog).getByRole('img', { name: 'Screenshot of step 1' }).getAttribute('src')).toBe('/api/blobs/shot-1.png?expires=1&sig=x');
    const box = within(dialog).getByTestId('target-box');
    expect(box.style.left).toBe('10%');
    expect(box.style.top).toBe('10%');
    expect(box.style.width).toBe('20%');
    expect(box.style.height).toBe('8%');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('while labeling runs, shows live progress and reloads when the status changes', async () => {
    signInAs(makeMe());
    const srv = workflowServer(makeDetail({ status: 'processing' }, [makeStep({ step_number: 1, ai_confidence: null }), makeStep({ step_number: 2, ai_confidence: null })]));
    installFakeFetch(srv.routes);
    renderApp('/workflows/10');
    expect(await screen.findByRole('heading', { name: 'The AI is labeling the steps' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Edit label of step 1' })).toBeNull();
    act(() => FakeEventSource.last.open());
    act(() => FakeEventSource.last.emit('progress', { workflow_id: 10, done: 1, total: 2, failed: 0 }));
    expect(screen.getByText('1 of 2 steps labeled')).toBeTruthy();
    expect(screen.getByRole('progressbar', { name: 'Labeling progress' }).getAttribute('aria-valuenow')).toBe('1');
    expect(screen.getByText(/Updates live/)).toBeTruthy();
    srv.bump({ status: 'needs_review', steps: srv.get().steps.map((s) => ({ ...s, ai_confidence: 0.9 })) });
    act(() => FakeEventSource.last.emit('workflow_status', { workflow_id: 10, status: 'needs_review' }));
    expect(await screen.findByRole('button', { name: 'Approve and publish' })).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getAllByText('AI confidence 90%')).toHaveLength(2);
  });

  it('exports a format as a download named by the server', async () => {
    signInAs(makeMe());
    const created: Blob[] = [];
    Object.defineProperty(URL, 'createObjectURL', { value: (b: Blob) => (created.push(b), 'blob:x'), configurable: true });
    Object.defineProperty(URL, 'revokeObjectURL', { value: () => undefined, configurable: true });
    const clicks: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this.download);
    });
    installFakeFetch({
      ...workflowServer(makeDetail()).routes,
      'GET /api/workflows/10/export': (req) =>
        new Response(`format=${req.url.searchParams.get('format')}`, { status: 200, headers: { 'Content-Disposition': 'attachment; filename="create-an-invoice.spec.ts"' } }),
    });
    renderApp('/workflows/10');
    const toggle = await screen.findByRole('button', { name: 'Export' });
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: /^Playwright test/ }));
    expect(await screen.findByText('Exported: Playwright test')).toBeTruthy();
    expect(clicks).toEqual(['create-an-invoice.spec.ts']);
    expect(await created[0]!.text()).toBe('format=playwright');
  });

  it('a member reads the workflow but has no editing controls', async () => {
    signInAs(makeMe({ role: 'regular' }));
    const typing = makeStep({ step_number: 3, action_type: 'input_commit', action_data: { input_value: 'ada', value_kind: 'personal' } });
    installFakeFetch(workflowServer(makeDetail({ status: 'active' }, [makeStep({ step_number: 1 }), makeStep({ step_number: 2 }), typing])).routes);
    renderApp('/workflows/10');
    expect(await screen.findByRole('heading', { name: 'About this workflow' })).toBeTruthy();
    // Whose value it is shows, but cannot be changed.
    const radios = within(screen.getByTestId('step-103')).getAllByRole('radio') as HTMLInputElement[];
    expect(radios.map((r) => [r.value, r.checked, r.matches(':disabled')])).toEqual([
      ['personal', true, true],
      ['free', false, true],
      ['fixed', false, true],
    ]);
    for (const name of ['Edit label of step 1', 'Delete step 1', 'Move step 2 up', 'Archive', 'Approve and publish', 'Save details', 'Re-run AI labels']) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
    expect(screen.queryByRole('link', { name: 'Health' })).toBeNull();
    expect(screen.getByText('Label 1')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Export' })).toBeTruthy();
  });

  it('a workflow that does not exist (or is not published) says so', async () => {
    signInAs(makeMe({ role: 'regular' }));
    installFakeFetch({ 'GET /api/workflows/99': () => apiError(404, 'WORKFLOW_NOT_FOUND', 'Workflow not found.') });
    renderApp('/workflows/99');
    expect(await screen.findByText('Workflow not found')).toBeTruthy();
    expect(screen.getByText('It may have been deleted, or it is not published yet.')).toBeTruthy();
  });
});
