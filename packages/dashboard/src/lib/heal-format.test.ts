import { describe, expect, it } from 'vitest';
import { makeHealVote } from '../testing/fixtures';
import { approverOf, listNames, shortHash, voteSummary, voters } from './heal-format';

describe('heal vote wording', () => {
  it('says who confirmed and who rejected, in the order they voted', () => {
    const votes = [
      makeHealVote({ user_id: 3, user_name: 'Cy', vote: 'reject', created_at: '2026-11-26T09:05:00Z' }),
      makeHealVote({ user_id: 1, user_name: 'Ada', vote: 'confirm', created_at: '2026-11-26T09:00:00Z' }),
      makeHealVote({ user_id: 2, user_name: 'Bob', vote: 'confirm', created_at: '2026-11-26T09:01:00Z' }),
    ];
    expect(voteSummary(votes)).toBe('Confirmed by Ada, Bob · rejected by Cy');
    expect(voteSummary([votes[0]!])).toBe('Rejected by Cy');
    expect(voteSummary([])).toBeNull();
  });

  it('counts a colleague once across page states, marks admins and names deleted accounts', () => {
    const votes = [
      makeHealVote({ user_id: 2, user_name: 'Bob', page_state_hash: 'sha256:a' }),
      makeHealVote({ user_id: 2, user_name: 'Bob', page_state_hash: 'sha256:b', created_at: '2026-11-26T10:00:00Z' }),
      makeHealVote({ user_id: 1, user_name: 'Ada', admin: true, how: 'approved', created_at: '2026-11-26T11:00:00Z' }),
      makeHealVote({ user_id: null, user_name: null, created_at: '2026-11-26T12:00:00Z' }),
    ];
    expect(voters(votes, 'confirm')).toEqual(['Bob', 'Ada (admin)', 'a former colleague']);
    expect(approverOf(votes)).toBe('Ada');
    expect(approverOf(votes.slice(0, 2))).toBeNull();
  });

  it('shortens long lists of names and page-state hashes', () => {
    expect(listNames(['A', 'B', 'C', 'D', 'E', 'F'])).toBe('A, B, C, D and 2 others');
    expect(listNames(['A', 'B', 'C', 'D', 'E'])).toBe('A, B, C, D and 1 other');
    expect(shortHash('sha256:9f2c4e1ab37d0c55')).toBe('9f2c4e1a');
    expect(shortHash('abc')).toBe('abc');
    expect(shortHash(null)).toBeNull();
  });
});
