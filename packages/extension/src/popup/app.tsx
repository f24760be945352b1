import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { send, type CheckSessionSaved, type PopupState } from '../shared/messages';
import type { RecordingView } from '../shared/types';
import { webOrigin } from '../shared/urls';
import { linkedWorkflowId, requestHostAccess, requestSiteAccess, usePopup } from './store';

const input = 'mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:border-blue-500 focus:outline-none focus:ring-1 focus:ring-blue-500';
const primary = 'rounded-md bg-blue-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-700 disabled:opacity-50';
const secondary = 'rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-50';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="border-t border-slate-200 px-4 py-3" aria-label={title}>
      <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h2>
      {children}
    </section>
  );
}

function SignIn({ state }: { state: PopupState }) {
  const { run, busy, init } = usePopup();
  const [server, setServer] = useState(state.serverUrl);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const serverUrl = state.serverLocked ? state.serverUrl : server;
    const ok = await run('sign-in', () => send({ type: 'auth/sign-in', serverUrl, email, password }));
    setPassword('');
    if (ok) await init();
  };
  return (
    <form onSubmit={submit} className="space-y-2 px-4 py-3" aria-label="Sign in">
      {state.companyHint && (
        <p className="text-sm" data-testid="company-hint">
          Sign in with your <span className="font-medium">{state.companyHint}</span> account.
        </p>
      )}
      <label className="block text-sm">
        Server URL
        {state.serverLocked ? (
          <>
            <input className={`${input} bg-slate-50 text-slate-600`} name="server" value={state.serverUrl} readOnly aria-describedby="server-locked" />
            <span id="server-locked" className="mt-0.5 block text-xs text-slate-500">
              Set by your organisation
            </span>
          </>
        ) : (
          <input className={input} name="server" value={server} onChange={(e) => setServer(e.target.value)} required />
        )}
      </label>
      <label className="block text-sm">
        Email
        <input className={input} name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
      </label>
      <label className="block text-sm">
        Password
        <input className={input} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      <button className={primary} type="submit" disabled={busy !== null}>
        {busy === 'sign-in' ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function statusText(r: RecordingView): string {
  switch (r.status) {
    case 'uploading':
      return `Uploading… screenshots ${r.uploadedShots}/${r.totalShots}`;
    case 'uploaded':
      return `Uploaded as workflow #${r.workflowId}; labeling runs on the server.`;
    case 'failed':
      return `Upload failed: ${r.lastError ?? 'unknown error'}`;
    case 'stopped':
      return r.lastError ? `Waiting to retry (${r.lastError})` : 'Waiting to upload…';
    default:
      return r.status;
  }
}

function Recording({ state }: { state: PopupState }) {
  const { run, busy, tabId, tabUrl } = usePopup();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [warning, setWarning] = useState<string | null>(null);
  const rec = state.recording;
  if (state.auth?.user.role !== 'admin') {
    return <p className="text-sm text-slate-600">Only admins record workflows. Guides for this site are below.</p>;
  }
  if (rec) {
    const progress = rec.totalShots ? Math.round((100 * rec.uploadedShots) / rec.totalShots) : 0;
    return (
      <div className="space-y-2">
        <p className="text-sm" aria-live="polite" data-testid="recording-status">
          <span className={`mr-2 inline-block h-2 w-2 rounded-full ${rec.status === 'paused' ? 'bg-amber-500' : 'bg-red-600'}`} />
          {rec.status === 'paused' ? 'Paused' : 'Recording'} “{rec.name}” · <span data-testid="step-count">{rec.stepCount}</span> steps
        </p>
        <div className="flex gap-2">
          {rec.status === 'paused' ? (
            <button className={secondary} onClick={() => run('resume', () => send({ type: 'recording/resume' }))}>Resume</button>
          ) : (
            <button className={secondary} onClick={() => run('pause', () => send({ type: 'recording/pause' }))}>Pause</button>
          )}
          <button className={primary} onClick={() => run('stop', () => send({ type: 'recording/stop' }))} disabled={busy !== null}>
            Stop &amp; upload
          </button>
        </div>
        {rec.status === 'uploading' && <progress className="w-full" max={100} value={progress} />}
      </div>
    );
  }
  const recordable = tabId !== null && !!tabUrl && /^https?:/.test(tabUrl);
  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (tabId === null) return;
    const granted = await requestHostAccess();
    setWarning(granted ? null : 'Without access to all sites, only this page can be recorded and screenshots may be missing.');
    await run('record', () => send({ type: 'recording/start', tabId, name, description }));
  };
  return (
    <form onSubmit={start} className="space-y-2" aria-label="Record a workflow">
      <label className="block text-sm">
        Name
        <input className={input} name="workflow-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
      </label>
      <label className="block text-sm">
        Description
        <textarea className={input} name="workflow-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={5000} />
      </label>
      <button className={primary} type="submit" disabled={!recordable || busy !== null}>
        Record a workflow
      </button>
      {!recordable && <p className="text-xs text-slate-500">Open the web app in this tab to record.</p>}
      {warning && <p className="text-xs text-amber-700">{warning}</p>}
    </form>
  );
}

function Pending({ state }: { state: PopupState }) {
  const { run } = usePopup();
  if (!state.pending.length) return null;
  return (
    <Section title="Uploads">
      <ul className="space-y-2">
        {state.pending.map((r) => (
          <li key={r.id} className="text-sm" data-testid="upload-item" data-status={r.status}>
            <div className="font-medium">{r.name}</div>
            <div className="text-slate-600">{statusText(r)}</div>
            {r.status === 'uploading' && <progress className="w-full" max={r.totalShots || 1} value={r.uploadedShots} />}
            {(r.status === 'failed' || r.status === 'stopped') && (
              <div className="mt-1 flex gap-2">
                <button className={secondary} onClick={() => run('retry', () => send({ type: 'upload/retry', recordingId: r.id }))}>Retry now</button>
                <button className={secondary} onClick={() => run('discard', () => send({ type: 'recording/discard', recordingId: r.id }))}>Discard</button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Guides({ state }: { state: PopupState }) {
  const { guides, run, tabId, loadGuides } = usePopup();
  const wt = state.walkthrough;
  if (wt) {
    return (
      <div className="space-y-2 text-sm">
        <p>
          Guiding “{wt.workflowName}”: step {Math.min(wt.index + 1, wt.total)} of {wt.total}
        </p>
        <button className={secondary} onClick={() => run('stop-guide', () => send({ type: 'walkthrough/stop' }))}>Stop guide</button>
      </div>
    );
  }
  if (guides === null) return <p className="text-sm text-slate-500">Loading…</p>;
  if (!guides.length) {
    return (
      <p className="text-sm text-slate-500">
        No guides for this site yet. <button className="underline" onClick={() => void loadGuides()}>Refresh</button>
      </p>
    );
  }
  return (
    <ul className="space-y-1">
      {guides.map((g) => (
        <li key={g.id} className="flex items-center justify-between gap-2 text-sm" data-testid="guide">
          <span className="truncate" title={g.description ?? g.name}>
            {g.name} <span className="text-slate-400">· {g.step_count} steps</span>
          </span>
          <button
            className={secondary}
            aria-label={`Start ${g.name}`}
            onClick={async () => {
              if (tabId === null) return;
              await requestHostAccess();
              await run('guide', () => send({ type: 'walkthrough/start', tabId, workflowId: g.id }));
              window.close();
            }}
          >
            Start
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * A share link's guide (popup.html?start=<id>, opened in the link's tab): one click here is the
 * user's gesture that lets the browser grant access to websites, then the guide starts in this tab.
 */
function StartFromLink({ workflowId }: { workflowId: number }) {
  const { run, busy, tabId } = usePopup();
  const [guide, setGuide] = useState<{ name: string; starting_url: string } | null>(null);
  const [warning, setWarning] = useState<string | null>(null);
  useEffect(() => {
    void run('load-guide', async () => setGuide(await send({ type: 'guides/get', workflowId })));
  }, [run, workflowId]);
  if (!guide) return busy === 'load-guide' ? <p className="text-sm text-slate-500">Loading…</p> : null;
  let site = guide.starting_url;
  try {
    site = new URL(guide.starting_url).host;
  } catch {
    /* shown as it is */
  }
  const start = async () => {
    if (tabId === null) return;
    const granted = await requestHostAccess();
    if (!granted) {
      setWarning('Stepwise can guide you only with access to the websites you use. Press Start the guide again and allow it.');
      return;
    }
    setWarning(null);
    await run('guide', () => send({ type: 'walkthrough/start', tabId, workflowId }));
  };
  return (
    <div className="space-y-2" data-testid="start-from-link">
      <p className="text-base font-semibold">{guide.name}</p>
      <p className="text-sm text-slate-600">
        Stepwise opens <span className="font-medium">{site}</span> in this tab and shows you each step. Your browser asks once to let Stepwise work on the websites you use.
      </p>
      <button className={primary} onClick={() => void start()} disabled={busy !== null}>
        {busy === 'guide' ? 'Starting…' : 'Start the guide'}
      </button>
      {warning && (
        <p role="status" className="text-xs text-amber-700">
          {warning}
        </p>
      )}
    </div>
  );
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What a save reports, in one line (and what was left out, when anything was). */
export function savedText({ session, leftOut }: CheckSessionSaved): string {
  const saved = `Saved: ${count(session.cookie_count, 'cookie', 'cookies')}, ${count(session.local_storage_count, 'local storage item', 'local storage items')} for ${session.origin}`;
  const left = [
    leftOut.cookies ? count(leftOut.cookies, 'cookie', 'cookies') : '',
    leftOut.localStorage ? count(leftOut.localStorage, 'local storage item', 'local storage items') : '',
  ].filter(Boolean);
  return left.length ? `${saved}. Left out: ${left.join(', ')} (too large, too many, or a cookie of another domain).` : saved;
}

/**
 * An admin's "Save a session for checks": scheduled checks of this site's workflows then sign in
 * as them. The popup asks for access to the site (the click is the gesture the browser's prompt
 * needs); the worker reads and sends the session, and answers with counts only.
 */
function CheckSessionSave() {
  const { run, busy, tabId, tabUrl } = usePopup();
  const [saved, setSaved] = useState<CheckSessionSaved | null>(null);
  const [warning, setWarning] = useState<string | null>(null);
  const origin = webOrigin(tabUrl);
  const save = async () => {
    if (tabId === null || origin === null) return;
    setSaved(null);
    if (!(await requestSiteAccess(origin))) {
      setWarning(`Stepwise needs access to ${origin} to read its session. Press the button again and allow it.`);
      return;
    }
    setWarning(null);
    await run('check-session', async () => setSaved(await send({ type: 'check-session/save', tabId, origin })));
  };
  return (
    <div className="space-y-2">
      <p className="text-xs text-slate-600" data-testid="check-session-help">
        {origin
          ? `Checks of workflows recorded on ${origin} will sign in as you. Saved encrypted; replace or delete it any time in Settings.`
          : 'Open the signed-in web app in this tab to save its session for checks.'}
      </p>
      <button className={secondary} onClick={() => void save()} disabled={origin === null || busy !== null}>
        {busy === 'check-session' ? 'Saving…' : 'Save a session for checks'}
      </button>
      {saved && (
        <p role="status" className="text-xs text-emerald-700" data-testid="check-session-saved">
          {savedText(saved)}
        </p>
      )}
      {warning && (
        <p role="status" className="text-xs text-amber-700">
          {warning}
        </p>
      )}
    </div>
  );
}

function Errors({ state }: { state: PopupState }) {
  const { run } = usePopup();
  if (!state.errors.length) return null;
  return (
    <Section title="Recent errors">
      <ul className="max-h-32 space-y-1 overflow-auto text-xs text-slate-600" data-testid="errors">
        {state.errors.map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <span className="text-slate-400">{new Date(e.at).toLocaleTimeString()}</span> <span className="font-mono">{e.module}</span> {e.message}
          </li>
        ))}
      </ul>
      <button className="mt-1 text-xs underline" onClick={() => run('clear', () => send({ type: 'errors/clear' }))}>Clear</button>
    </Section>
  );
}

export function App() {
  const { state, error, init, refresh, run } = usePopup();
  useEffect(() => {
    void init();
    const t = setInterval(() => void refresh(), 1000);
    return () => clearInterval(t);
  }, [init, refresh]);
  // A share link's page fills a whole tab: the popup's card sits in the middle of it.
  useEffect(() => {
    if (linkedWorkflowId() !== null) document.body.classList.add('mx-auto', 'my-16', 'overflow-hidden', 'rounded-lg', 'border', 'border-slate-200', 'shadow-lg');
  }, []);
  if (!state) return <p className="p-4 text-sm">Loading…</p>;
  const linked = linkedWorkflowId();
  return (
    <main className="text-sm">
      <header className="flex items-center justify-between bg-slate-900 px-4 py-2 text-white">
        <h1 className="font-semibold">Stepwise</h1>
        {state.auth && (
          <div className="text-right text-xs" data-testid="who">
            <div>{state.auth.user.name} · {state.auth.user.role}</div>
            <div className="text-slate-300">{state.auth.company?.name ?? ''}</div>
          </div>
        )}
      </header>
      {error && (
        <p role="alert" className="bg-red-50 px-4 py-2 text-sm text-red-700">
          {error}
        </p>
      )}
      {!state.auth ? (
        <SignIn state={state} />
      ) : linked !== null && !state.walkthrough ? (
        <Section title="Start a guide">
          <StartFromLink workflowId={linked} />
        </Section>
      ) : (
        <>
          <Section title="Record">
            <Recording state={state} />
          </Section>
          <Pending state={state} />
          <Section title="Guides for this site">
            <Guides state={state} />
          </Section>
          {state.auth.user.role === 'admin' && (
            <Section title="Scheduled checks">
              <CheckSessionSave />
            </Section>
          )}
          <Errors state={state} />
          <footer className="border-t border-slate-200 px-4 py-2 text-xs text-slate-500">
            {state.auth.user.email} on {state.auth.serverUrl} ·{' '}
            <button className="underline" onClick={() => run('sign-out', () => send({ type: 'auth/sign-out' }))}>Sign out</button>
          </footer>
        </>
      )}
    </main>
  );
}
