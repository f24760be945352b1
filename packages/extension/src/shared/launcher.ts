// The guide launcher's list (issue 15, item 6): what the service worker hands the page's launcher
// for one origin, and the pure ordering and search the launcher applies to it. The worker keeps
// what the page needs and nothing else (no health figures, no creator).

/** One published guide of the page's site, as the launcher shows it. */
export interface LauncherGuide {
  id: number;
  name: string;
  description: string | null;
  /** The workflow's starting URL: "for this page" when its path is the current page's. */
  startingUrl: string;
  stepCount: number;
}

export interface OrderedGuides {
  /** Guides that start on the current page (origin and path). */
  here: LauncherGuide[];
  /** The rest of the site's guides. */
  site: LauncherGuide[];
}

/** A path as a walkthrough compares it: no trailing slashes ("/" stays "/"). */
function pathOf(url: string): string | null {
  try {
    return new URL(url).pathname.replace(/\/+$/, '') || '/';
  } catch {
    return null;
  }
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Lower case without accents, for search: "Créer" is found by "creer". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

/** Every word of the query appears in the guide's name or description (in any order). */
export function matches(guide: LauncherGuide, query: string): boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = fold(`${guide.name} ${guide.description ?? ''}`);
  return words.every((w) => hay.includes(w));
}

/**
 * The guides for the page at `pageUrl`, filtered by `query`: those that start on this page first,
 * then the rest of the site, each group in the order given (the server sorts by name), each
 * guide once. A guide on another origin (never sent, but cheap to refuse) is left out.
 */
export function orderGuides(guides: readonly LauncherGuide[], pageUrl: string, query = ''): OrderedGuides {
  const page = pathOf(pageUrl);
  const origin = originOf(pageUrl);
  const seen = new Set<number>();
  const out: OrderedGuides = { here: [], site: [] };
  for (const g of guides) {
    if (seen.has(g.id) || originOf(g.startingUrl) !== origin || !matches(g, query)) continue;
    seen.add(g.id);
    (page !== null && pathOf(g.startingUrl) === page ? out.here : out.site).push(g);
  }
  return out;
}
