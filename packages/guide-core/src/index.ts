/** @stepwise/guide-core — record an element so it can be found again, and find it. */
export type { BoundingBox, ElementMeta, Lookalike, RankedCandidate, Selectors, StepTarget } from './types.js';
export {
  ACCEPT_MIN_MARGIN,
  ACCEPT_MIN_SCORE,
  MIN_CANDIDATE_SCORE,
  categoryOf,
  explainScore,
  isClearWinner,
  rankCandidates,
  scoreCandidate,
} from './score.js';
export { normalizeText, textSimilarity } from './text.js';
export { beginDescribe, describeElement, type DescribeOptions, type PendingTarget } from './describe.js';
export {
  isMeaningfulInteraction,
  meaningfulTarget,
  interactiveTarget,
  actionTypeOf,
  type ActionType,
} from './meaningful.js';
export {
  ASK_MIN_SCORE,
  locate,
  rerankWithVisual,
  collectCandidates,
  healCandidates,
  isUsable,
  visibleLabelOf,
  type LocateOptions,
  type LocateResult,
  type LocateCandidate,
  type LocateVariant,
} from './locate.js';
export { contradicts, mayUseWithoutAsking, verifyMatch, isRecordedLookalike, VERIFY_MIN_SCORE, type Verdict } from './verify.js';
export { findOpener, type Opener } from './reveal.js';
export { recordedLevels, domLevels, neighbourScores } from './relation.js';
export { pageStateHash, pageStateDescription, urlShape } from './page-state.js';
export {
  captureValue,
  domContext,
  isCardNumber,
  isIban,
  isSensitiveField,
  maskSensitiveText,
  sanitizedHtml,
  MASK,
  type PrivacyOptions,
} from './privacy.js';
export { observeOutcome, checkOutcome, type ExpectedOutcome, type OutcomeElement, type OutcomeCheck, type OutcomeRecorder } from './outcome.js';
export { cssSelector, inClosedShadow, originAndPath, positionalCss, resolveSelector, resolveShadowChain } from './selectors.js';
export { sha256Hex } from './sha256.js';
export { greyOf, visualSimilarity, withVisual, VISUAL_SIZE, VISUAL_WEIGHT } from './visual.js';
export { allElements, deepQueryAll, isVisible, openShadowRoot, type ShadowAccess } from './dom-util.js';
export { observeNavigation, type NavigationEvent, type NavigationKind } from './navigation.js';
export { recorderSelectors } from './recorder.js';
export {
  classifyValueKind,
  fieldFacts,
  isIdentityAutocomplete,
  linkValues,
  valueKindOf,
  MIN_LINKED_VALUE,
  type LinkableStep,
  type ValueFieldFacts,
  type ValueKind,
  type ValueKindRule,
  type ValueKindVerdict,
} from './value-kind.js';
export {
  exactWithValue,
  metaWithValue,
  selectorsWithValue,
  showsValue,
  slugOf,
  textWithValue,
  valueSwap,
  withValue,
  type ValueSwap,
} from './value-swap.js';
