/**
 * Recorded-step shapes. Field names are snake_case because they travel as JSON to the server
 * and are validated there against the OpenAPI contract (see README.md for bounds).
 */

export interface BoundingBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The brief's `Selectors`, plus optional DevTools-Recorder forms. */
export interface Selectors {
  primary: string | null;
  css: string | null;
  xpath: string | null;
  data_testid: string | null;
  stable_attrs: Record<string, string> | null;
  /** `aria/Name[role="button"]` — Puppeteer / DevTools Recorder ARIA form. */
  aria?: string | null;
  /** `xpath//html/body/...` — absolute positional xpath in the Recorder's form. */
  xpath_alt?: string | null;
  /** `pierce/...` — CSS that pierces open shadow roots (Puppeteer form). */
  pierce?: string | null;
  /** Each entry selects inside the previous one's shadow root (DevTools Recorder chain). */
  shadow_chain?: string[] | null;
  /** CSS selectors of the iframes, outermost first, that contain the element. */
  frame_path?: string[] | null;
  /** The address (origin and path) of each frame in `frame_path`, outermost first. */
  frame_urls?: string[] | null;
  /** The frame's index in each ancestor's `window.frames`, outermost first (the DevTools Recorder's `frame`). */
  frame_index?: number[] | null;
  /** Some root in `shadow_chain` is a closed shadow root (only an extension can enter it). */
  in_closed_shadow?: boolean | null;
}

/** The brief's `ElementMeta`, plus optional fields. */
export interface ElementMeta {
  tag_name: string;
  role: string | null;
  type: string | null;
  name: string | null;
  placeholder: string | null;
  inner_text: string | null;
  label_text: string | null;
  nearby_text: string | null;
  classes: string[];
  bounding_box: BoundingBox;
  parent_tag: string | null;
  parent_classes: string[] | null;
  accessible_name?: string | null;
  id?: string | null;
  test_ids?: Record<string, string> | null;
  aria_label?: string | null;
  href?: string | null;
  alt?: string | null;
  title?: string | null;
  /** A `value`/`inner_text` was withheld because the field is sensitive (see privacy.ts). */
  value_masked?: boolean;
  /** Landmarks that contain the element, innermost first: tag plus aria-label (≤ 5 × 100 chars). */
  context?: string[] | null;
  /**
   * Other elements that had the same role and name when it was recorded (at most 3): where they
   * were, so that one of them is never taken for this element once it is gone.
   */
  lookalikes?: Lookalike[] | null;
}

export interface Lookalike {
  context: string[] | null;
  nearby_text: string | null;
}

export interface StepTarget {
  selectors: Selectors;
  element_meta: ElementMeta;
}

export interface RankedCandidate {
  index: number;
  score: number;
}
