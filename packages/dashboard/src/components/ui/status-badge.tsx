import type { WorkflowStatus } from '../../lib/schemas';
import { STATUS_LABELS, STATUS_TONES } from '../../lib/workflow-format';
import { Badge } from './badge';

export function StatusBadge({ status }: { status: WorkflowStatus }) {
  return <Badge tone={STATUS_TONES[status]}>{STATUS_LABELS[status]}</Badge>;
}
