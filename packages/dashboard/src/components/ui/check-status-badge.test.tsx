import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CheckStatusBadge } from './check-status-badge';

describe('check status badge', () => {
  it.each([
    ['passed', 'Passed', 'emerald'],
    ['at_risk', 'At risk', 'amber'],
    ['session_expired', 'Session expired', 'amber'],
    ['error', 'Error', 'red'],
    [null, 'Never checked', 'slate'],
  ] as const)('%s reads “%s”', (status, label, colour) => {
    render(<CheckStatusBadge status={status} />);
    const badge = screen.getByText(label);
    expect(badge.className).toContain(colour);
    expect(badge.getAttribute('title')).toBeTruthy();
  });

  it.each([
    ['at_risk', 'At risk'],
    ['session_expired', 'Session expired'],
  ] as const)('beside a workflow’s status, shows %s, named for screen readers', (status, label) => {
    render(<CheckStatusBadge status={status} problemsOnly />);
    expect(screen.getByTestId('check-status-badge').textContent).toBe(`Scheduled check: ${label}`);
  });

  it.each([['passed'], ['error'], [null], [undefined]] as const)('beside a workflow’s status, shows nothing for %s', (status) => {
    const { container } = render(<CheckStatusBadge status={status} problemsOnly />);
    expect(container.textContent).toBe('');
  });
});
