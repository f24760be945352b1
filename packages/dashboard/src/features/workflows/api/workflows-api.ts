import type { PageMeta } from '@stepwise/api-types';
import { api } from '../../../lib/api-client';
import type { DevtoolsRecording, Workflow } from '../../../lib/schemas';
import type { ListQuery } from './list-params';

export interface WorkflowPage {
  items: Workflow[];
  meta: PageMeta;
}

export async function listWorkflows(query: ListQuery, signal?: AbortSignal): Promise<WorkflowPage> {
  const result = await api.list('/api/workflows', signal ? { query, signal, silent: true } : { query, silent: true });
  return { items: result.data, meta: result.meta };
}

export interface Imported {
  workflowId: number;
  status: string;
}

/** Checks the file is shaped like a DevTools Recorder recording before sending it. */
export function parseRecording(text: string): DevtoolsRecording {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('This file is not JSON. Export the recording from the DevTools Recorder panel as JSON.');
  }
  const r = value as Partial<DevtoolsRecording> | null;
  if (typeof r !== 'object' || r === null || Array.isArray(r) || !Array.isArray(r.steps)) {
    throw new Error('This JSON is not a DevTools Recorder recording (it has no "steps").');
  }
  if (typeof r.title !== 'string' || r.title.trim() === '') throw new Error('The recording has no title.');
  if (r.steps.length === 0) throw new Error('The recording has no steps.');
  return r as DevtoolsRecording;
}

export async function importRecording(recording: DevtoolsRecording): Promise<Imported> {
  const data = await api.post('/api/workflows/import', { body: recording, silent: true });
  return { workflowId: data.workflow_id, status: data.status };
}
