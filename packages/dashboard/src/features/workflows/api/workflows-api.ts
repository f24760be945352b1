import type { PageMeta } from '@stepwise/api-types';
import { api } from '../../../lib/api-client';
import type { Workflow } from '../../../lib/schemas';
import type { ListQuery } from './list-params';

export interface WorkflowPage {
  items: Workflow[];
  meta: PageMeta;
}

export async function listWorkflows(query: ListQuery, signal?: AbortSignal): Promise<WorkflowPage> {
  const result = await api.list('/api/workflows', signal ? { query, signal, silent: true } : { query, silent: true });
  return { items: result.data, meta: result.meta };
}
