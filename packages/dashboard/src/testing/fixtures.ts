import type { Company, Me, User } from '@stepwise/api-types';

export function makeMe(patch: Partial<Me> = {}): Me {
  return {
    id: 1,
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    role: 'admin',
    company_id: 1,
    created_at: '2026-11-25T21:30:00Z',
    last_login_at: '2026-11-25T21:45:12Z',
    company: { id: 1, name: 'Analytical Engines Ltd' },
    ...patch,
  };
}

export function makeUser(patch: Partial<User> = {}): User {
  return {
    id: 2,
    email: 'bob@example.com',
    name: 'Bob',
    role: 'regular',
    company_id: 1,
    created_at: '2026-11-25T21:40:00Z',
    last_login_at: null,
    ...patch,
  };
}

export function makeCompany(patch: Partial<Company> = {}): Company {
  return {
    id: 1,
    name: 'Analytical Engines Ltd',
    settings: {},
    invite_token: 'tok-123',
    created_at: '2026-11-25T21:30:00Z',
    user_count: 2,
    screenshot_count: 0,
    screenshot_bytes: 0,
    ...patch,
  };
}
