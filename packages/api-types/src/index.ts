// Types of the Stepwise HTTP contract. Everything here derives from src/generated/schema.ts, which
// `npm run build` generates from openapi/openapi.yaml: change the contract, never these types.
import type { components, operations, paths } from './generated/schema.js';

export type { components, operations, paths };

type Schemas = components['schemas'];

// Scalars.
export type Id = Schemas['Id'];
export type Timestamp = Schemas['Timestamp'];
export type Role = Schemas['Role'];
export type Email = Schemas['Email'];
export type PersonName = Schemas['PersonName'];
export type CompanyName = Schemas['CompanyName'];
export type InviteToken = Schemas['InviteToken'];
export type WebhookUrl = Schemas['WebhookUrl'];

// Envelopes and errors.
export type EmptyMeta = Schemas['EmptyMeta'];
export type PageMeta = Schemas['PageMeta'];
export type ErrorCode = Schemas['ErrorCode'];
export type FieldError = Schemas['FieldError'];
export type ApiErrorObject = Schemas['ErrorObject'];
/** The body of every failing response: `{error: {code, message, details}}`. */
export type ApiError = Schemas['ApiError'];
/** The body of a 422: `details.errors` lists each problem with a JSON pointer. */
export type ValidationErrorResponse = Schemas['ValidationErrorResponse'];
/** `{data: T, meta: M}`, the shape of every successful JSON response. */
export interface Envelope<T, M = EmptyMeta> {
  data: T;
  meta: M;
}

// Auth.
type SignupFields = Omit<Schemas['SignupRequest'], 'company_name' | 'invite_token'>;
/** Signup that creates a company; the new user is its admin. */
export type SignupWithCompanyRequest = SignupFields & { company_name: CompanyName; invite_token?: never };
/** Signup that joins the company of an invite token, as a regular user. */
export type SignupWithInviteRequest = SignupFields & { invite_token: InviteToken; company_name?: never };
/** Exactly one of `company_name` and `invite_token` (the schema's oneOf, made precise). */
export type SignupRequest = SignupWithCompanyRequest | SignupWithInviteRequest;
export type LoginRequest = Schemas['LoginRequest'];
export type AuthUser = Schemas['AuthUser'];
export type AuthData = Schemas['AuthData'];
export type AuthResponse = Schemas['AuthResponse'];
export type Me = Schemas['Me'];
export type MeResponse = Schemas['MeResponse'];
export type InviteInfo = Schemas['InviteInfo'];
export type InviteInfoResponse = Schemas['InviteInfoResponse'];

// Company.
export type Company = Schemas['Company'];
export type CompanySettings = Schemas['CompanySettings'];
export type CompanySettingsPatch = Schemas['CompanySettingsPatch'];
export type CompanyResponse = Schemas['CompanyResponse'];
export type UpdateCompanyRequest = Schemas['UpdateCompanyRequest'];
export type InviteTokenResponse = Schemas['InviteTokenResponse'];

// Users.
export type User = Schemas['User'];
export type UserResponse = Schemas['UserResponse'];
export type UserListResponse = Schemas['UserListResponse'];
export type UpdateUserRequest = Schemas['UpdateUserRequest'];

// System.
export type HealthResponse = Schemas['HealthResponse'];
export type ReadyResponse = Schemas['ReadyResponse'];

/** Every operationId of the contract. */
export type OperationId = keyof operations;
