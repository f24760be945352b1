import { Badge } from '../../../components/ui/badge';
import { formatDateTime } from '../../../lib/format';
import { approverOf, shortHash, voteSummary } from '../../../lib/heal-format';
import type { SelectorVariant, Selectors, Step } from '../../../lib/schemas';

type Method = SelectorVariant['method'];

const METHODS: Record<Method, string> = {
  recorded: 'Recorded',
  deterministic: 'Healed by similarity',
  ai_assisted: 'Healed with AI',
  confirmed: 'Confirmed by colleagues',
  approved: 'Approved by an admin',
  imported: 'Imported',
};

const STATUS: Record<SelectorVariant['status'], { label: string; tone: 'green' | 'amber' | 'red'; title: string }> = {
  shared: { label: 'Shared', tone: 'green', title: 'Every walkthrough may use it' },
  pending: { label: 'Waiting for confirmation', tone: 'amber', title: 'Used by the colleagues who confirmed it; others are asked first' },
  rejected: { label: 'Rejected', tone: 'red', title: 'No walkthrough uses it' },
};

/** How a variant was found, in words (`Approved by Ada` when the approving admin is known). */
export function methodLabel(v: Pick<SelectorVariant, 'method' | 'votes'>): string {
  if (v.method === 'approved') {
    const admin = approverOf(v.votes);
    if (admin) return `Approved by ${admin}`;
  }
  return METHODS[v.method] ?? v.method;
}

const LEGACY_METHODS: Record<string, Method> = { ai_assisted: 'ai_assisted', ai: 'ai_assisted', deterministic: 'deterministic', score: 'deterministic', approved: 'approved' };
const SELECTOR_KEYS = ['primary', 'css', 'xpath', 'aria', 'data_testid', 'pierce', 'xpath_alt'] as const;

/**
 * Every way to find the step's element, the recorded selectors first. A step stored before the
 * server kept variants has none: its `selectors` are shown as the recorded variant, and an old heal
 * (the selector that replaced the primary one, `healed_selectors`) as a shared healed variant.
 */
export function variantsOf(step: Step): SelectorVariant[] {
  if (step.selector_variants && step.selector_variants.length > 0) return step.selector_variants;
  const healed = step.healed_selectors ?? null;
  const previous = healed?.['previous_primary'];
  const recorded: SelectorVariant = {
    id: null,
    source: 'recorded',
    status: 'shared',
    preferred: false,
    selectors: previous ? { ...step.selectors, primary: previous } : step.selectors,
    element_meta: null,
    method: 'recorded',
    confidence: null,
    page_state_hash: null,
    created_at: step.timestamp ?? null,
    created_by: null,
    votes: [],
  };
  if (!step.healed_at) return [recorded];
  const selectors: Selectors = {};
  for (const key of SELECTOR_KEYS) {
    const v = healed?.[key];
    if (v) selectors[key] = v;
  }
  if (!selectors.primary && previous) selectors.primary = step.selectors.primary ?? null;
  if (Object.keys(selectors).length === 0) return [recorded];
  return [
    recorded,
    {
      id: null,
      source: 'healed',
      status: 'shared',
      preferred: false,
      selectors,
      element_meta: null,
      method: LEGACY_METHODS[step.healing_method ?? ''] ?? 'deterministic',
      confidence: step.healing_confidence ?? null,
      page_state_hash: null,
      created_at: step.healed_at,
      created_by: null,
      votes: [],
    },
  ];
}

/** `3 ways to find this element · 1 waiting for confirmation` (rejected variants are not ways). */
export function variantsSummary(variants: readonly SelectorVariant[]): string {
  const ways = variants.filter((v) => v.status !== 'rejected').length;
  const pending = variants.filter((v) => v.status === 'pending').length;
  const rejected = variants.length - ways;
  const parts = [`${ways} ${ways === 1 ? 'way' : 'ways'} to find this element`];
  if (pending > 0) parts.push(`${pending} waiting for confirmation`);
  if (rejected > 0) parts.push(`${rejected} rejected`);
  return parts.join(' · ');
}

function SelectorRow({ name, value }: { name: string; value: string | null | undefined }) {
  if (!value) return null;
  return (
    <div className="grid grid-cols-[4.5rem_minmax(0,1fr)] gap-2">
      <dt className="text-xs text-slate-600">{name}</dt>
      <dd className="truncate font-mono text-xs text-slate-900" title={value}>
        {value}
      </dd>
    </div>
  );
}

function VariantItem({ v, n, index }: { v: SelectorVariant; n: number; index: number }) {
  const status = STATUS[v.status];
  const votes = voteSummary(v.votes);
  const hash = shortHash(v.page_state_hash);
  const title = methodLabel(v);
  const facts = [
    v.confidence !== null ? `${Math.round(v.confidence * 100)}% sure` : null,
    v.created_at ? formatDateTime(v.created_at) : null,
  ].filter((x): x is string => x !== null);
  return (
    <li
      aria-label={`Step ${n}, way ${index + 1}: ${title}`}
      data-testid={`variant-${v.id ?? (v.source === 'recorded' ? 'recorded' : `new-${index}`)}`}
      className={v.status === 'rejected' ? 'rounded-md border border-slate-200 bg-white px-3 py-2 opacity-75' : 'rounded-md border border-slate-200 bg-white px-3 py-2'}
    >
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className="text-sm font-medium text-slate-900">{title}</span>
        {v.preferred && (
          <Badge tone="indigo" title="An admin approved it: walkthroughs try it first">
            ★ Preferred
          </Badge>
        )}
        {(v.source !== 'recorded' || v.status !== 'shared') && (
          <Badge tone={status.tone} title={status.title}>
            {status.label}
          </Badge>
        )}
        {(facts.length > 0 || hash) && (
          <span className="text-xs text-slate-600">
            {facts.join(' · ')}
            {hash && (
              <span title={`Found on page state ${v.page_state_hash}`}>
                {facts.length > 0 ? ' · ' : ''}page state <span className="font-mono">{hash}</span>
              </span>
            )}
          </span>
        )}
      </div>
      <dl className="mt-1 space-y-0.5">
        <SelectorRow name="Primary" value={v.selectors.primary} />
        <SelectorRow name="CSS" value={v.selectors.css} />
        <SelectorRow name="XPath" value={v.selectors.xpath} />
        <SelectorRow name="ARIA" value={v.selectors.aria} />
      </dl>
      {votes && <p className="mt-1 text-xs text-slate-700">{votes}</p>}
    </li>
  );
}

/** The step's selector variants: where the element was recorded, then every way found since. */
export function SelectorVariants({ step }: { step: Step }) {
  const variants = variantsOf(step);
  const n = step.step_number;
  const element = `<${step.element_meta.tag_name}>${step.element_meta.accessible_name ? ` “${step.element_meta.accessible_name}”` : ''}`;
  return (
    <section aria-label={`Selectors of step ${n}`} className="mt-2 space-y-2 rounded-md bg-slate-50 p-3">
      <dl className="grid grid-cols-[4.5rem_minmax(0,1fr)] gap-x-2 gap-y-0.5 text-xs">
        <dt className="text-slate-600">Element</dt>
        <dd className="truncate font-mono text-slate-900" title={element}>
          {element}
        </dd>
        <dt className="text-slate-600">Page</dt>
        <dd className="truncate font-mono text-slate-900" title={step.page_context.url}>
          {step.page_context.url}
        </dd>
      </dl>
      <ol className="space-y-2" aria-label={`Ways to find the element of step ${n}`}>
        {variants.map((v, i) => (
          <VariantItem key={v.id ?? `${v.source}-${i}`} v={v} n={n} index={i} />
        ))}
      </ol>
    </section>
  );
}
