import type { CheckStatus } from '../../lib/schemas';
import { checkStatusInfo, isCheckProblem } from '../../lib/check-format';
import { Badge } from './badge';

/**
 * How the workflow's last scheduled check went. `problemsOnly` (lists, headers): a badge only
 * when the check says the workflow is at risk or its session expired, nothing otherwise.
 */
export function CheckStatusBadge({ status, problemsOnly = false }: { status: CheckStatus | null | undefined; problemsOnly?: boolean }) {
  if (problemsOnly && !isCheckProblem(status)) return null;
  const info = checkStatusInfo(status);
  return (
    <span data-testid="check-status-badge" className="inline-flex">
      {problemsOnly && <span className="sr-only">Scheduled check: </span>}
      <Badge tone={info.tone} title={info.about}>
        {info.label}
      </Badge>
    </span>
  );
}
