import type { Company, Me, User } from '@stepwise/api-types';
import type { CheckRun, CheckSession, CheckStep, HealReview, HealVote, Notification, SelectorVariant, Selectors, Step, Workflow, WorkflowCheck, WorkflowDetail, WorkflowHealth } from '../lib/schemas';

export function makeMe(patch: Partial<Me> = {}): Me {
  return {
    id: 1,
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    role: 'admin',
    company_id: 1,
    created_at: '2026-11-25T21:30:00Z',
    last_login_at: '2026-11-25T21:45:12Z',
    company: { id: 1, name: 'Analytical Engines Ltd', launcher_enabled: false },
    ...patch,
  };
}

export function makeUser(patch: Partial<User> = {}): User {
  return {
    id: 2,
    email: 'bob@example.com',
    name: 'Bob',
    role: 'regular',
    company_id: 1,
    created_at: '2026-11-25T21:40:00Z',
    last_login_at: null,
    ...patch,
  };
}

export function makeCompany(patch: Partial<Company> = {}): Company {
  return {
    id: 1,
    name: 'Analytical Engines Ltd',
    settings: {},
    invite_token: 'tok-123',
    created_at: '2026-11-25T21:30:00Z',
    user_count: 2,
    screenshot_count: 0,
    screenshot_bytes: 0,
    webhook_secret: 'whsec-0123456789abcdef',
    ...patch,
  };
}

export function makeWorkflow(patch: Partial<Workflow> = {}): Workflow {
  return {
    id: 10,
    name: 'Create an invoice',
    description: 'From the billing page',
    starting_url: 'https://app.example.com/billing',
    tags: ['billing'],
    status: 'needs_review',
    success_rate: 0,
    total_uses: 0,
    step_count: 2,
    created_at: '2026-11-25T21:30:00Z',
    updated_at: '2026-11-25T21:35:00Z',
    created_by: 1,
    consecutive_failures: 0,
    last_successful_run: null,
    last_failed_run: null,
    ...patch,
  };
}

/** The recorded selectors as the server lists them: the first variant, `id` null. */
export function recordedVariant(selectors: Selectors, patch: Partial<SelectorVariant> = {}): SelectorVariant {
  return {
    id: null,
    source: 'recorded',
    status: 'shared',
    preferred: false,
    selectors,
    element_meta: null,
    method: 'recorded',
    confidence: null,
    page_state_hash: null,
    created_at: '2026-11-25T21:30:00Z',
    created_by: 1,
    votes: [],
    ...patch,
  };
}

export function makeHealVote(patch: Partial<HealVote> = {}): HealVote {
  return {
    user_id: 2,
    user_name: 'Bob',
    vote: 'confirm',
    how: 'asked',
    admin: false,
    page_state_hash: 'sha256:9f2c4e1ab37d0c55e6f1',
    created_at: '2026-11-26T09:00:00Z',
    ...patch,
  };
}

/** A variant a heal added (pending until colleagues confirm it, unless `patch` says otherwise). */
export function makeSelectorVariant(patch: Partial<SelectorVariant> = {}): SelectorVariant {
  return {
    id: 501,
    source: 'healed',
    status: 'pending',
    preferred: false,
    selectors: { primary: '#plan-select', css: 'select[name="plan"]' },
    element_meta: { tag_name: 'select', accessible_name: 'Plan' },
    method: 'ai_assisted',
    confidence: 0.74,
    page_state_hash: 'sha256:9f2c4e1ab37d0c55e6f1',
    created_at: '2026-11-26T08:30:00Z',
    created_by: 2,
    votes: [],
    ...patch,
  };
}

export function makeStep(patch: Partial<Step> = {}): Step {
  const n = patch.step_number ?? 1;
  const selectors: Selectors = patch.selectors ?? { primary: `#button-${n}`, css: `button.b${n}`, aria: `aria/Step ${n}[role="button"]` };
  return {
    id: 100 + n,
    step_number: n,
    action_type: 'click',
    selectors,
    element_meta: { tag_name: 'button', accessible_name: `Step ${n}`, bounding_box: { x: 100, y: 50, width: 200, height: 40 } },
    page_context: { url: 'https://app.example.com/billing', viewport: { width: 1000, height: 500 } },
    screenshot: { id: n, url: `/api/blobs/shot-${n}.png?expires=1&sig=x`, thumbnail_url: `/api/blobs/thumb-${n}.webp?expires=1&sig=x`, width: 2000, height: 1000, format: 'png' },
    field_label: `Label ${n}`,
    instruction: `Click the button for step ${n}`,
    ai_confidence: 0.92,
    ai_model: 'local',
    label_edited: false,
    instruction_edited: false,
    selector_variants: [recordedVariant(selectors)],
    ...patch,
  };
}

export function makeDetail(patch: Partial<WorkflowDetail> = {}, steps: Step[] = [makeStep({ step_number: 1 }), makeStep({ step_number: 2 })]): WorkflowDetail {
  return { ...makeWorkflow({ step_count: steps.length }), steps, ...patch };
}

export function makeNotification(patch: Partial<Notification> = {}): Notification {
  return {
    id: 1,
    workflow_id: 10,
    type: 'workflow_broken',
    severity: 'error',
    title: 'Create an invoice is broken',
    message: 'Three runs in a row failed at step 2.',
    action_url: '/workflows/10/health',
    read: false,
    read_at: null,
    created_at: '2026-11-25T21:30:00Z',
    ...patch,
  };
}

export function makeHealReview(patch: Partial<HealReview> = {}): HealReview {
  return {
    id: 1,
    workflow_id: 10,
    workflow_name: 'Create an invoice',
    step_id: 102,
    step_number: 2,
    field_label: 'Plan',
    status: 'pending',
    confidence: 0.72,
    method: 'ai_assisted',
    selector: '#plan-select',
    previous_selector: '#plan',
    recorded_box: { x: 100, y: 100, width: 120, height: 30 },
    candidate_box: { x: 140, y: 180, width: 120, height: 30 },
    recorded_screenshot_url: '/api/blobs/rec.png?sig=x',
    current_screenshot_url: '/api/blobs/cur.png?sig=x',
    page_url: 'https://app.example.com/billing',
    created_at: '2026-11-25T10:00:00Z',
    decided_at: null,
    decided_by: null,
    resolution: null,
    votes: [],
    ...patch,
  };
}

export function makeHealth(patch: Partial<WorkflowHealth> = {}): WorkflowHealth {
  const today = new Date().toISOString().slice(0, 10);
  return {
    workflow_id: 7,
    workflow_name: 'Start a trial',
    workflow: { status: 'broken', success_rate: 0.8, total_uses: 25, consecutive_failures: 3, last_successful_run: '2026-11-20T10:00:00Z', last_failed_run: '2026-11-25T10:00:00Z' },
    days: [{ date: today, success: 3, completed_with_skips: 0, failed: 2, abandoned: 1, healed: 1 }],
    failing_steps: [{ step_id: 102, step_number: 2, field_label: 'Plan', failures: 7, error_types: { element_not_found: 5, timeout: 2 } }],
    recent_runs: [{ run_id: 'run-1', status: 'failed', user_id: 4, error_type: 'element_not_found', created_at: '2026-11-25T10:00:00Z' }],
    healing_events: [{ step_id: 102, step_number: 2, field_label: 'Plan', status: 'healed_ai', healing_confidence: 0.84, page_url: 'https://app.example.com/billing', created_at: '2026-11-24T10:00:00Z' }],
    ...patch,
  };
}

export function makeWorkflowCheck(patch: Partial<WorkflowCheck> = {}): WorkflowCheck {
  return {
    workflow_id: 10,
    enabled: false,
    interval_minutes: 60,
    mode: 'locate',
    value_step_ids: [],
    status: null,
    last_run_id: null,
    last_run_at: null,
    next_run_at: null,
    updated_at: null,
    updated_by: null,
    ...patch,
  };
}

/** A step of a check run: found by its selectors on a 1280×800 viewport. */
export function makeCheckStep(patch: Partial<CheckStep> = {}): CheckStep {
  const n = patch.step_number ?? 1;
  return {
    step_id: 100 + n,
    step_number: n,
    field_label: `Label ${n}`,
    outcome: 'found',
    method: 'selector',
    score: 100,
    time_ms: 312,
    page_url: 'https://app.example.com/billing',
    box: { x: 128, y: 80, width: 256, height: 40 },
    screenshot_url: `/api/blobs/check-${n}.jpg?expires=1&sig=x`,
    width: 1280,
    height: 800,
    message: null,
    ...patch,
  };
}

export function makeCheckRun(patch: Partial<CheckRun> = {}): CheckRun {
  return {
    id: 55,
    workflow_id: 10,
    trigger: 'manual',
    mode: 'locate',
    state: 'finished',
    status: 'passed',
    created_at: '2026-11-25T10:00:00Z',
    started_at: '2026-11-25T10:00:01Z',
    finished_at: '2026-11-25T10:00:13Z',
    duration_ms: 12_340,
    attempts: 1,
    steps_total: 2,
    steps_found: 2,
    steps_healed: 0,
    steps_missing: 0,
    message: null,
    ...patch,
  };
}

export function makeCheckSession(patch: Partial<CheckSession> = {}): CheckSession {
  return {
    id: 3,
    origin: 'https://app.example.com',
    cookie_count: 4,
    local_storage_count: 1,
    key_id: 'k0',
    captured_at: '2026-11-25T09:00:00Z',
    captured_by: 1,
    ...patch,
  };
}
