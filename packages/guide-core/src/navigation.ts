/**
 * Navigation as steps: full loads, history.pushState / replaceState, popstate and hashchange.
 * `observeNavigation` must run in the page's own JavaScript world (history patching is not
 * visible from an extension's isolated world); it reports each URL change once.
 */

export type NavigationKind = 'load' | 'pushstate' | 'replacestate' | 'popstate' | 'hashchange';

export interface NavigationEvent {
  type: NavigationKind;
  url: string;
  from: string;
}

/** Calls `onNavigate` for every URL change of `win` until `signal` aborts. */
export function observeNavigation(win: Window, onNavigate: (e: NavigationEvent) => void, signal?: AbortSignal): void {
  let last = win.location.href;
  const withoutHash = (u: string) => u.split('#')[0];
  const report = (type: NavigationKind) => {
    const url = win.location.href;
    if (url === last && type !== 'load') return;
    const from = last;
    last = url;
    // The browser fires popstate before hashchange for a fragment change: name it by what changed.
    if (type === 'popstate' && withoutHash(url) === withoutHash(from)) type = 'hashchange';
    onNavigate({ type, url, from });
  };
  const history = win.history;
  const originalPush = history.pushState;
  const originalReplace = history.replaceState;
  history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
    const r = originalPush.apply(this, args);
    report('pushstate');
    return r;
  };
  history.replaceState = function (this: History, ...args: Parameters<History['replaceState']>) {
    const r = originalReplace.apply(this, args);
    report('replacestate');
    return r;
  };
  const onPop = () => report('popstate');
  const onHash = () => report('hashchange');
  win.addEventListener('popstate', onPop);
  win.addEventListener('hashchange', onHash);
  signal?.addEventListener(
    'abort',
    () => {
      // Restore only if nobody patched over us meanwhile.
      if (history.pushState !== originalPush) history.pushState = originalPush;
      if (history.replaceState !== originalReplace) history.replaceState = originalReplace;
      win.removeEventListener('popstate', onPop);
      win.removeEventListener('hashchange', onHash);
    },
    { once: true },
  );
}
