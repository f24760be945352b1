import { api, send } from '../../../lib/api-client';
import type { Step, StepUpdateRequest, Workflow, WorkflowDetail, WorkflowUpdateRequest } from '../../../lib/schemas';

/** A value and the workflow version (ETag) it belongs to. */
export interface Versioned<T> {
  data: T;
  etag: string | null;
}

const ifMatch = (etag: string | null): Record<string, string> => (etag ? { 'If-Match': etag } : {});

export async function fetchWorkflow(id: number, signal?: AbortSignal): Promise<Versioned<WorkflowDetail>> {
  const r = await api.request('get', '/api/workflows/{id}', signal ? { path: { id }, signal, silent: true } : { path: { id }, silent: true });
  return { data: r.data, etag: r.etag };
}

// Changes are silent: the page shows their failure where it happened (a field, the conflict banner).
export async function updateWorkflow(id: number, body: WorkflowUpdateRequest, etag: string | null): Promise<Versioned<Workflow>> {
  const r = await api.request('put', '/api/workflows/{id}', { path: { id }, body, headers: ifMatch(etag), silent: true });
  return { data: r.data, etag: r.etag };
}

export async function updateStep(id: number, stepId: number, body: StepUpdateRequest, etag: string | null): Promise<Versioned<Step>> {
  const r = await api.request('patch', '/api/workflows/{id}/steps/{step_id}', { path: { id, step_id: stepId }, body, headers: ifMatch(etag), silent: true });
  return { data: r.data, etag: r.etag };
}

export async function deleteStep(id: number, stepId: number, etag: string | null): Promise<Versioned<void>> {
  const r = await api.request('delete', '/api/workflows/{id}/steps/{step_id}', { path: { id, step_id: stepId }, headers: ifMatch(etag), silent: true });
  return { data: undefined, etag: r.etag };
}

export async function reorderSteps(id: number, stepIds: number[], etag: string | null): Promise<Versioned<WorkflowDetail>> {
  const r = await api.request('put', '/api/workflows/{id}/steps/order', { path: { id }, body: { step_ids: stepIds }, headers: ifMatch(etag), silent: true });
  return { data: r.data, etag: r.etag };
}

export type ExportFormat = 'devtools' | 'playwright' | 'markdown' | 'html';

export interface Download {
  blob: Blob;
  filename: string;
}

/** `attachment; filename="x.json"` → `x.json`. */
export function filenameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain?.[1]?.trim() || fallback;
}

const EXTENSIONS: Record<ExportFormat, string> = { devtools: 'json', playwright: 'spec.ts', markdown: 'md', html: 'html' };

export async function exportWorkflow(id: number, format: ExportFormat): Promise<Download> {
  const response = await send('get', '/api/workflows/{id}/export', { path: { id }, query: { format }, headers: { Accept: '*/*' } });
  return { blob: await response.blob(), filename: filenameFrom(response.headers.get('Content-Disposition'), `workflow-${id}.${EXTENSIONS[format]}`) };
}

/** Asks the AI to label the steps again (edited fields are kept). */
export async function relabelWorkflow(id: number): Promise<number> {
  const data = await api.post('/api/workflows/{id}/relabel', { path: { id } });
  return data.queued;
}
