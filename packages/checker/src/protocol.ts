// The JSON-lines protocol between the server and the checker (docs/checker.md): one discriminated
// union per direction, and the validation of what the server sends. Pure: no I/O here.
import type { components } from '@stepwise/api-types';

type Schemas = components['schemas'];
export type ServerStep = Schemas['Step'];
export type SelectorVariant = Schemas['SelectorVariant'];
export type HealCandidateWire = Schemas['HealCandidate'];
export type HealDecision = Schemas['AutoHealDecision'];
export type CheckCookie = Schemas['CheckCookie'];
export type CheckStorageItem = Schemas['CheckStorageItem'];

/** A step as the check message carries it: the server's step without screenshots. */
export interface CheckStep {
  id: number;
  step_number: number;
  action_type: ServerStep['action_type'];
  selectors: ServerStep['selectors'];
  element_meta: ServerStep['element_meta'];
  page_context: ServerStep['page_context'];
  action_data: ServerStep['action_data'] | null;
  selector_variants?: SelectorVariant[];
  field_label?: string | null;
}

export interface CheckSessionData {
  origin: string;
  cookies: CheckCookie[];
  local_storage: CheckStorageItem[];
}

export type CheckMode = 'locate' | 'replay';

export interface CheckMessage {
  type: 'check';
  id: string;
  mode: CheckMode;
  timeout_ms: number | null;
  proxy: string | null;
  viewport: { width: number; height: number } | null;
  session: CheckSessionData | null;
  values: Record<string, string>;
  workflow: { id: number; name: string; starting_url: string | null; steps: CheckStep[] };
}

export interface HealResultMessage {
  type: 'heal_result';
  id: string;
  seq: number;
  decision: HealDecision | null;
}

export interface CancelMessage {
  type: 'cancel';
  id: string;
}

/** Server → checker. */
export type Inbound = CheckMessage | HealResultMessage | CancelMessage;

export type StepOutcome = 'found' | 'healed' | 'uncertain' | 'not_found' | 'unreachable' | 'error';
export type StepMethod = 'selector' | 'deterministic' | 'ai_assisted' | null;
export type DoneStatus = 'passed' | 'at_risk' | 'session_expired' | 'error';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface StepLine {
  type: 'step';
  id: string;
  step_id: number;
  index: number;
  outcome: StepOutcome;
  method: StepMethod;
  score: number | null;
  selector: string | null;
  time_ms: number;
  page_url: string | null;
  page_state_hash: string | null;
  box: Box | null;
  viewport: { width: number; height: number } | null;
  screenshot: string | null;
  message: string | null;
}

export interface HealLine {
  type: 'heal';
  id: string;
  seq: number;
  step_id: number;
  candidates: HealCandidateWire[];
  page_state_hash: string | null;
  page_url: string | null;
  screenshot: string | null;
}

/** Checker → server. */
export type Outbound =
  | { type: 'ready'; version: string; chromium: string; max_pages: number }
  | StepLine
  | HealLine
  | { type: 'done'; id: string; status: DoneStatus; message: string | null; duration_ms: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; id?: string };

/** The longest line either side sends. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

export type Parsed = { kind: 'message'; message: Inbound } | { kind: 'ignored'; type: string } | { kind: 'invalid'; error: string; id?: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** A check id as the server sends it: a short string (a number is accepted and turned into one). */
function idOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null;
}

function invalid(error: string, id?: string | null): Parsed {
  return id ? { kind: 'invalid', error, id } : { kind: 'invalid', error };
}

function parseStep(raw: unknown, k: number): CheckStep | string {
  if (!isObject(raw)) return `workflow.steps[${k}] is not an object`;
  if (typeof raw.id !== 'number' || !Number.isSafeInteger(raw.id)) return `workflow.steps[${k}].id is not an integer`;
  const actions = ['click', 'input_commit', 'select_change', 'submit', 'navigate'];
  if (typeof raw.action_type !== 'string' || !actions.includes(raw.action_type)) return `workflow.steps[${k}].action_type is not one of ${actions.join(', ')}`;
  if (!isObject(raw.selectors)) return `workflow.steps[${k}].selectors is not an object`;
  if (!isObject(raw.element_meta)) return `workflow.steps[${k}].element_meta is not an object`;
  if (!isObject(raw.page_context) || typeof raw.page_context.url !== 'string') return `workflow.steps[${k}].page_context.url is missing`;
  if (raw.action_data !== undefined && raw.action_data !== null && !isObject(raw.action_data)) return `workflow.steps[${k}].action_data is not an object`;
  if (raw.selector_variants !== undefined && raw.selector_variants !== null && !Array.isArray(raw.selector_variants)) return `workflow.steps[${k}].selector_variants is not an array`;
  const variants = Array.isArray(raw.selector_variants) ? raw.selector_variants.filter((v): v is SelectorVariant => isObject(v) && isObject(v.selectors)) : undefined;
  return {
    id: raw.id,
    step_number: typeof raw.step_number === 'number' ? raw.step_number : k + 1,
    action_type: raw.action_type as CheckStep['action_type'],
    selectors: raw.selectors as CheckStep['selectors'],
    element_meta: raw.element_meta as CheckStep['element_meta'],
    page_context: raw.page_context as CheckStep['page_context'],
    action_data: (raw.action_data ?? null) as CheckStep['action_data'],
    ...(variants ? { selector_variants: variants } : {}),
    field_label: typeof raw.field_label === 'string' ? raw.field_label : null,
  };
}

function parseSession(raw: unknown): CheckSessionData | null | string {
  if (raw === null || raw === undefined) return null;
  if (!isObject(raw) || typeof raw.origin !== 'string') return 'session.origin is missing';
  if (!Array.isArray(raw.cookies) || !Array.isArray(raw.local_storage)) return 'session.cookies and session.local_storage must be arrays';
  for (const c of raw.cookies) {
    if (!isObject(c) || typeof c.name !== 'string' || typeof c.value !== 'string' || typeof c.domain !== 'string' || typeof c.path !== 'string') return 'session.cookies: each needs name, value, domain and path';
  }
  for (const s of raw.local_storage) {
    if (!isObject(s) || typeof s.name !== 'string' || typeof s.value !== 'string') return 'session.local_storage: each needs name and value';
  }
  return { origin: raw.origin, cookies: raw.cookies as CheckCookie[], local_storage: raw.local_storage as CheckStorageItem[] };
}

function parseCheck(o: Record<string, unknown>): Parsed {
  const id = idOf(o.id);
  if (!id) return invalid('check: id is missing');
  const mode = o.mode ?? 'locate';
  if (mode !== 'locate' && mode !== 'replay') return invalid(`check ${id}: mode must be locate or replay`, id);
  if (o.timeout_ms !== undefined && o.timeout_ms !== null && !isPositiveInt(o.timeout_ms)) return invalid(`check ${id}: timeout_ms must be a positive integer`, id);
  if (o.proxy !== undefined && o.proxy !== null && (typeof o.proxy !== 'string' || !/^(https?|socks5?):\/\/[^\s/]+\/?$/.test(o.proxy))) return invalid(`check ${id}: proxy must be a proxy URL such as http://127.0.0.1:PORT`, id);
  let viewport: CheckMessage['viewport'] = null;
  if (o.viewport !== undefined && o.viewport !== null) {
    const v = o.viewport;
    if (!isObject(v) || !isPositiveInt(v.width) || !isPositiveInt(v.height) || v.width > 10000 || v.height > 10000) return invalid(`check ${id}: viewport must be {width, height} in pixels`, id);
    viewport = { width: v.width, height: v.height };
  }
  const session = parseSession(o.session);
  if (typeof session === 'string') return invalid(`check ${id}: ${session}`, id);
  const values: Record<string, string> = {};
  if (o.values !== undefined && o.values !== null) {
    if (!isObject(o.values)) return invalid(`check ${id}: values must be an object`, id);
    for (const [k, v] of Object.entries(o.values)) if (typeof v === 'string') values[k] = v;
  }
  const w = o.workflow;
  if (!isObject(w) || !Array.isArray(w.steps)) return invalid(`check ${id}: workflow.steps is missing`, id);
  const steps: CheckStep[] = [];
  for (let k = 0; k < w.steps.length; k++) {
    const s = parseStep(w.steps[k], k);
    if (typeof s === 'string') return invalid(`check ${id}: ${s}`, id);
    steps.push(s);
  }
  return {
    kind: 'message',
    message: {
      type: 'check',
      id,
      mode,
      timeout_ms: (o.timeout_ms as number | undefined) ?? null,
      proxy: (o.proxy as string | undefined) ?? null,
      viewport,
      session,
      values,
      workflow: {
        id: typeof w.id === 'number' ? w.id : 0,
        name: typeof w.name === 'string' ? w.name : '',
        starting_url: typeof w.starting_url === 'string' ? w.starting_url : null,
        steps,
      },
    },
  };
}

/** One line from the server: a message, a type this checker does not know (ignored), or an error. */
export function parseLine(line: string): Parsed {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (e) {
    return invalid(`not JSON: ${(e as Error).message}`);
  }
  if (!isObject(o) || typeof o.type !== 'string') return invalid('not a message: a JSON object with a "type" is expected');
  switch (o.type) {
    case 'check':
      return parseCheck(o);
    case 'heal_result': {
      const id = idOf(o.id);
      if (!id || !isPositiveInt(o.seq)) return invalid('heal_result: id and seq are required', id);
      if (o.decision !== null && o.decision !== undefined && !isObject(o.decision)) return invalid('heal_result: decision must be an object or null', id);
      return { kind: 'message', message: { type: 'heal_result', id, seq: o.seq, decision: (o.decision ?? null) as HealDecision | null } };
    }
    case 'cancel': {
      const id = idOf(o.id);
      if (!id) return invalid('cancel: id is required');
      return { kind: 'message', message: { type: 'cancel', id } };
    }
    default:
      return { kind: 'ignored', type: o.type };
  }
}
