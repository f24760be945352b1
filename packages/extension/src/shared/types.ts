// Shapes that cross the wire, taken from the generated contract (never restated by hand), plus
// the extension's own records: what the content script captures and what a walkthrough keeps.
import type { components } from '@stepwise/api-types';

type Schemas = components['schemas'];
export type RecordedStep = Schemas['RecordedStep'];
export type WorkflowCreateRequest = Schemas['WorkflowCreateRequest'];
export type Workflow = Schemas['Workflow'];
export type WorkflowDetail = Schemas['WorkflowDetail'];
export type ServerStep = Schemas['Step'];
export type ExpectedOutcomeWire = Schemas['ExpectedOutcome'];
export type HealthLogEntry = Schemas['HealthLogEntry'];
export type HealCandidateWire = Schemas['HealCandidate'];
export type AutoHealRequest = Schemas['AutoHealRequest'];
export type AutoHealDecision = Schemas['AutoHealDecision'];
export type AuthUser = Schemas['AuthUser'];
export type SelectorVariantWire = Schemas['SelectorVariant'];
export type HealVoteRequest = Schemas['HealVoteRequest'];
export type HealVoteResult = Schemas['HealVoteResult'];
export type Me = Schemas['Me'];
export type ActionType = Schemas['ActionType'];
export type CheckCookie = Schemas['CheckCookie'];
export type CheckStorageItem = Schemas['CheckStorageItem'];
export type CheckSessionInput = Schemas['CheckSessionInput'];
export type CheckSession = Schemas['CheckSession'];

/** A step as the content script captured it; the service worker numbers it and adds the screenshot. */
export interface CapturedStep {
  /** Unique per step (a UUID): a step sent twice (service worker restarted meanwhile) is stored once. */
  client_id: string;
  timestamp: string;
  action_type: ActionType;
  selectors: RecordedStep['selectors'];
  element_meta: RecordedStep['element_meta'];
  page_context: RecordedStep['page_context'];
  action_data: RecordedStep['action_data'];
  dom_context: RecordedStep['dom_context'];
  expected_outcome: RecordedStep['expected_outcome'];
}

/** What a walkthrough needs of a step (the server's step without screenshot links). */
export interface GuideStep {
  id: number;
  step_number: number;
  action_type: ActionType;
  selectors: ServerStep['selectors'];
  element_meta: ServerStep['element_meta'];
  page_context: ServerStep['page_context'];
  action_data: ServerStep['action_data'];
  expected_outcome: ServerStep['expected_outcome'];
  field_label: string | null;
  instruction: string | null;
  /** Every way the element has been found (recorded first); absent from older servers. */
  selector_variants?: SelectorVariantWire[];
  /** The recorded screenshot (signed URL, valid 15 minutes), for the visual signal. */
  screenshot_url?: string | null;
}

export type StepResult = 'success' | 'healed' | 'failed' | 'skipped';

/** How a run ended: completed_with_skips when the user reached the end past skipped steps. */
export type RunOutcome = 'success' | 'completed_with_skips' | 'failed' | 'abandoned';

/** A walkthrough in progress; lives in chrome.storage.session so it survives navigations and reloads. */
export interface RunState {
  runId: string;
  tabId: number;
  workflow: { id: number; name: string; starting_url: string };
  steps: GuideStep[];
  index: number;
  results: StepResult[];
  /** Steps skipped because their element could not be found, reported to the admin (indexes). */
  notFound?: number[];
  startedAt: number;
  finished: RunOutcome | null;
  /** Whether the user sent a report to their admin (the end card says so only then). */
  reported?: boolean;
  /** Who walks: their own unconfirmed heals are theirs to use. */
  me?: { id: number; role: 'admin' | 'regular' } | null;
  /**
   * What the colleague typed at steps a later step looks for (`value_from`), by step index: only
   * in chrome.storage.session (memory), never sent to the server (shared/values.ts).
   */
  values?: Record<number, string>;
}

export interface RecordingView {
  id: string;
  name: string;
  status: RecordingStatus;
  stepCount: number;
  uploadedShots: number;
  totalShots: number;
  workflowId: number | null;
  lastError: string | null;
  nextAttemptAt: number | null;
}

export type RecordingStatus = 'recording' | 'paused' | 'stopped' | 'uploading' | 'uploaded' | 'failed';

export interface ErrorEntry {
  at: number;
  module: string;
  message: string;
}
