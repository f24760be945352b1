// How the last scheduled check of a workflow went (the contract's CheckStatus), in words: shared by
// the workflow list, the workflow page and the checks feature.
import type { CheckStatus } from './schemas';

export interface CheckStatusInfo {
  label: string;
  tone: 'green' | 'amber' | 'red' | 'slate';
  /** One sentence for a tooltip. */
  about: string;
}

export const CHECK_STATUS: Record<CheckStatus, CheckStatusInfo> = {
  passed: { label: 'Passed', tone: 'green', about: 'The last check found every step’s element.' },
  at_risk: { label: 'At risk', tone: 'amber', about: 'The last check could not find a step’s element, or found it too unsure to use.' },
  session_expired: { label: 'Session expired', tone: 'amber', about: 'The last check landed on a sign-in page: save a session for checks again.' },
  error: { label: 'Error', tone: 'red', about: 'The last check could not run (the app was unreachable, refused, or the checker failed).' },
};

export const NEVER_CHECKED: CheckStatusInfo = { label: 'Never checked', tone: 'slate', about: 'No check of this workflow has finished yet.' };

export function checkStatusInfo(status: CheckStatus | null | undefined): CheckStatusInfo {
  return status ? CHECK_STATUS[status] ?? { label: status, tone: 'slate', about: '' } : NEVER_CHECKED;
}

/** The statuses worth a badge beside the workflow's own status in lists and headers. */
export function isCheckProblem(status: CheckStatus | null | undefined): status is 'at_risk' | 'session_expired' {
  return status === 'at_risk' || status === 'session_expired';
}
