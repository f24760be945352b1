import type { Company, Me, User } from '@stepwise/api-types';
import type { Notification, Step, Workflow, WorkflowDetail } from '../lib/schemas';

export function makeMe(patch: Partial<Me> = {}): Me {
  return {
    id: 1,
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    role: 'admin',
    company_id: 1,
    created_at: '2026-11-25T21:30:00Z',
    last_login_at: '2026-11-25T21:45:12Z',
    company: { id: 1, name: 'Analytical Engines Ltd' },
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

export function makeStep(patch: Partial<Step> = {}): Step {
  const n = patch.step_number ?? 1;
  return {
    id: 100 + n,
    step_number: n,
    action_type: 'click',
    selectors: { primary: `#button-${n}`, css: `button.b${n}`, aria: `aria/Step ${n}[role="button"]` },
    element_meta: { tag_name: 'button', accessible_name: `Step ${n}`, bounding_box: { x: 100, y: 50, width: 200, height: 40 } },
    page_context: { url: 'https://app.example.com/billing', viewport: { width: 1000, height: 500 } },
    screenshot: { id: n, url: `/api/blobs/shot-${n}.png?expires=1&sig=x`, thumbnail_url: `/api/blobs/thumb-${n}.webp?expires=1&sig=x`, width: 2000, height: 1000, format: 'png' },
    field_label: `Label ${n}`,
    instruction: `Click the button for step ${n}`,
    ai_confidence: 0.92,
    ai_model: 'local',
    label_edited: false,
    instruction_edited: false,
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
