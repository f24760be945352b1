// What each notification type is, in words and a glyph (the contract's Notification.type). A
// Record over the enum, so a type added to the contract fails the build until it is named here.
import type { Notification } from '../../../lib/schemas';

export interface NotificationKind {
  /** A few words, read before the title by screen readers and shown as the glyph's tooltip. */
  label: string;
  /** One character drawn in the severity's colour. */
  icon: string;
}

export const NOTIFICATION_KINDS: Record<Notification['type'], NotificationKind> = {
  workflow_broken: { label: 'Workflow broken', icon: '✕' },
  workflow_healed: { label: 'Step healed', icon: '+' },
  low_confidence: { label: 'Labels to check', icon: '?' },
  high_failure_rate: { label: 'High failure rate', icon: '↘' },
  workflow_recovered: { label: 'Workflow recovered', icon: '↗' },
  ready_for_review: { label: 'Ready for review', icon: '✎' },
  workflow_at_risk: { label: 'Scheduled check: at risk', icon: '!' },
  check_session_expired: { label: 'Scheduled check: session expired', icon: '↩' },
  check_passed: { label: 'Scheduled check passed', icon: '✓' },
};

export function notificationKind(type: string): NotificationKind {
  return NOTIFICATION_KINDS[type as Notification['type']] ?? { label: 'Notification', icon: '•' };
}
