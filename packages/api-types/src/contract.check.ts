// Compile-time checks that the generated types say what the contract promises. `tsc --noEmit`
// fails when one stops holding; nothing here runs.
import type {
  ApiError,
  AuthResponse,
  Envelope,
  ErrorCode,
  Me,
  OperationId,
  SignupRequest,
  UpdateCompanyRequest,
  User,
  UserListResponse,
  ValidationErrorResponse,
  operations,
  paths,
} from './index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export const signupWithCompany: SignupRequest = {
  email: 'ada@example.com',
  password: 'correct horse battery',
  name: 'Ada',
  company_name: 'Analytical Engines',
};
export const signupWithInvite: SignupRequest = { email: 'b@example.com', password: 'xxxxxxxx', name: 'Bob', invite_token: 't' };
// @ts-expect-error -- exactly one of company_name and invite_token
export const signupWithBoth: SignupRequest = { email: 'a@b.co', password: 'xxxxxxxx', name: 'A', company_name: 'C', invite_token: 't' };
// @ts-expect-error -- one of them is needed
export const signupWithNeither: SignupRequest = { email: 'a@b.co', password: 'xxxxxxxx', name: 'A' };

export const auth: AuthResponse = {
  data: { token: 'jwt', user: { id: 1, email: 'a@b.co', name: 'A', role: 'admin', company_id: 1 } },
  meta: {},
};
// @ts-expect-error -- roles are admin and regular only
export const badRole: User['role'] = 'owner';

export const me: Me = {
  id: 1,
  email: 'a@b.co',
  name: 'A',
  role: 'regular',
  company_id: 2,
  created_at: '2026-11-25T21:30:00Z',
  last_login_at: null,
  company: { id: 2, name: 'C', launcher_enabled: false },
};
export const page: UserListResponse = { data: [], meta: { total: 0, limit: 50, offset: 0 } };
export const removeWebhook: UpdateCompanyRequest = { settings: { webhook_url: null } };
export const error: ApiError = { error: { code: 'LAST_ADMIN', message: 'A company needs an admin.', details: {} } };
export const invalid: ValidationErrorResponse = {
  error: { code: 'VALIDATION_ERROR', message: 'Invalid.', details: { errors: [{ pointer: '/email', message: 'too long' }] } },
};

export type Checks = [
  Expect<Equal<AuthResponse, Envelope<AuthResponse['data']>>>,
  Expect<Equal<paths['/api/users/{id}']['delete'], operations['deleteUser']>>,
  Expect<Equal<operations['updateUser']['parameters']['path']['id'], number>>,
  Expect<Equal<NonNullable<operations['listUsers']['parameters']['query']>['limit'], number | undefined>>,
  Expect<'LAST_ADMIN' extends ErrorCode ? true : false>,
  Expect<'authSignup' extends OperationId ? true : false>,
  Expect<Equal<operations['deleteUser']['responses'][204]['content'], never | undefined>>,
];
