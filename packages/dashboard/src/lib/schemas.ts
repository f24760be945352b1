// Named types for the contract's schemas that @stepwise/api-types does not name itself. They come
// from the generated `components`, so a contract change shows up here as a type error.
import type { components } from '@stepwise/api-types';

type Schemas = components['schemas'];

export type Workflow = Schemas['Workflow'];
export type WorkflowDetail = Schemas['WorkflowDetail'];
export type WorkflowStatus = Schemas['WorkflowStatus'];
export type WorkflowUpdateRequest = Schemas['WorkflowUpdateRequest'];
export type WorkflowCreateRequest = Schemas['WorkflowCreateRequest'];
export type Step = Schemas['Step'];
export type StepUpdateRequest = Schemas['StepUpdateRequest'];
export type ValueKind = Schemas['ValueKind'];
export type ActionType = Schemas['ActionType'];
export type BoundingBox = Schemas['BoundingBox'];
export type Notification = Schemas['Notification'];
export type WorkflowHealth = Schemas['WorkflowHealth'];
export type HealthDay = Schemas['HealthDay'];
export type FailingStep = Schemas['FailingStep'];
export type HealthRun = Schemas['HealthRun'];
export type HealingEvent = Schemas['HealingEvent'];
export type HealReview = Schemas['HealReview'];
export type DevtoolsRecording = Schemas['DevtoolsRecording'];
export type Selectors = Schemas['Selectors'];
export type SelectorVariant = Schemas['SelectorVariant'];
export type HealVote = Schemas['HealVote'];
export type CompanySettings = Schemas['CompanySettings'];
export type CheckMode = Schemas['CheckMode'];
export type CheckStatus = Schemas['CheckStatus'];
export type WorkflowCheck = Schemas['WorkflowCheck'];
export type WorkflowCheckUpdate = Schemas['WorkflowCheckUpdate'];
export type CheckRun = Schemas['CheckRun'];
export type CheckStep = Schemas['CheckStep'];
export type CheckBox = Schemas['CheckBox'];
export type CheckSession = Schemas['CheckSession'];
