import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { Logo } from '../../../components/ui/logo';
import { LoadingState } from '../../../components/ui/spinner';
import { api } from '../../../lib/api-client';
import { connectExtension, pingExtension, startGuideInExtension, type Failure } from '../../../lib/extension-bridge';
import { useAuthStore } from '../../../stores/auth-store';

type View =
  | { kind: 'starting' }
  | { kind: 'no-extension' }
  | { kind: 'started'; name: string }
  | { kind: 'not-connected' }
  | { kind: 'failed'; failure: Failure }
  | { kind: 'bad-link' };

function workflowIdOf(raw: string | undefined): number | null {
  return raw && /^[1-9]\d{0,15}$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : null;
}

const link = 'font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600';

/**
 * A guide's share link (/guide/<id>): hands the id to the extension, which opens the workflow's
 * start page in this tab and guides the user there. Without the extension, says how to get it.
 */
export default function GuideLinkPage() {
  const workflowId = workflowIdOf(useParams().id);
  const token = useAuthStore((s) => s.token);
  const [view, setView] = useState<View>(workflowId === null ? { kind: 'bad-link' } : { kind: 'starting' });
  const [connecting, setConnecting] = useState(false);
  const asked = useRef(false);

  const start = useCallback(async () => {
    if (workflowId === null) return;
    setView({ kind: 'starting' });
    if (!(await pingExtension())) {
      setView({ kind: 'no-extension' });
      return;
    }
    const result = await startGuideInExtension(workflowId);
    if (result.ok) setView({ kind: 'started', name: result.workflow.name });
    else if (result.error === 'not_connected') setView({ kind: 'not-connected' });
    else if (result.error === 'no_extension') setView({ kind: 'no-extension' });
    else setView({ kind: 'failed', failure: result });
  }, [workflowId]);

  useEffect(() => {
    document.title = 'Start a guide · Stepwise';
    // Once per page (React runs effects twice in development).
    if (asked.current) return;
    asked.current = true;
    void start();
  }, [start]);

  const connectAndStart = async () => {
    setConnecting(true);
    try {
      const { code } = await api.post('/api/auth/connect-codes');
      const result = await connectExtension(window.location.origin, code);
      if (result.ok) await start();
      else setView({ kind: 'failed', failure: result });
    } catch {
      // The interceptor has shown the server's error (a 401 signs the dashboard out).
    } finally {
      setConnecting(false);
    }
  };

  return (
    <main className="flex min-h-screen items-start justify-center bg-slate-50 px-6 py-16">
      <div className="w-full max-w-lg space-y-6 rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <Logo />
        <h1 className="text-xl font-semibold text-slate-900">Start a guide</h1>
        {view.kind === 'starting' && <LoadingState label="Opening the guide in the Stepwise extension…" />}
        {view.kind === 'bad-link' && <Alert tone="error">This guide link is not valid. Ask for the link again.</Alert>}
        {view.kind === 'started' && (
          <Alert tone="success" title={`Starting “${view.name}”`}>
            The extension takes this tab to the first page of the guide.
          </Alert>
        )}
        {view.kind === 'no-extension' && (
          <div className="space-y-4" data-testid="guide-needs-extension">
            <Alert tone="warning" title="This guide runs in the Stepwise extension">
              The extension was not found in this browser. Get it, connect it, then open this link again.
            </Alert>
            <ol className="list-decimal space-y-1 pl-6 text-sm text-slate-700">
              <li>Download the extension for this server and load it in Chrome.</li>
              <li>Connect it with one click.</li>
              <li>Open this link again.</li>
            </ol>
            <div className="flex items-center gap-4">
              <Link to="/extension" className="inline-flex items-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-700">
                Get the extension
              </Link>
              <Button variant="ghost" onClick={() => void start()}>
                Try again
              </Button>
            </div>
          </div>
        )}
        {view.kind === 'not-connected' && (
          <div className="space-y-4" data-testid="guide-needs-connect">
            <Alert tone="warning" title="Connect the extension first">
              The extension is installed but not signed in to this server.
            </Alert>
            {token ? (
              <Button onClick={() => void connectAndStart()} busy={connecting}>
                Connect and start the guide
              </Button>
            ) : (
              <p className="text-sm text-slate-700">
                <Link to="/login" state={{ from: `/guide/${workflowId}` }} className={link}>
                  Sign in
                </Link>{' '}
                to connect it, then start the guide from here.
              </p>
            )}
          </div>
        )}
        {view.kind === 'failed' && (
          <div className="space-y-4">
            <Alert tone="error" title="The guide could not start">
              {view.failure.message}
            </Alert>
            <Button variant="secondary" onClick={() => void start()}>
              Try again
            </Button>
          </div>
        )}
      </div>
    </main>
  );
}
