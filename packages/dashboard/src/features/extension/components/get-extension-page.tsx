import { useCallback, useEffect, useState } from 'react';
import { Alert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { connectExtension, pingExtension, type Failure } from '../../../lib/extension-bridge';
import { toast } from '../../../stores/toast-store';
import { createConnectCode } from '../api/extension-api';
import { type ExtensionState, statusLine } from './extension-status';

const code = 'rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[0.8125rem] text-slate-900';

function connectError(f: Failure): string {
  switch (f.error) {
    case 'no_extension':
      return 'The extension did not answer. Install it (or turn it on in chrome://extensions), then try again.';
    case 'managed':
      return `${f.message} Ask your IT team if this is not the right server.`;
    case 'invalid_code':
      return 'The sign-in code expired before the extension used it. Try again.';
    default:
      return f.message;
  }
}

/**
 * "Get the extension": the extension built for this server (a zip whose default server is this
 * one), how to load it, whether this browser has it, and the button that signs it in as you.
 */
export default function GetExtensionPage() {
  const [state, setState] = useState<ExtensionState>({ kind: 'checking' });
  const [connecting, setConnecting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const origin = window.location.origin;

  const check = useCallback(async () => {
    setState({ kind: 'checking' });
    const ping = await pingExtension();
    setState(ping ? { kind: 'installed', ping } : { kind: 'missing' });
  }, []);

  useEffect(() => {
    document.title = 'Get the extension · Stepwise';
    void check();
  }, [check]);

  const connect = async () => {
    setConnecting(true);
    setError(null);
    try {
      const result = await connectExtension(origin, await createConnectCode());
      if (result.ok) {
        toast.success('Extension connected', `Signed in as ${result.user.name}.`);
        await check();
      } else setError(connectError(result));
    } catch {
      // The interceptor has shown the server's error.
    } finally {
      setConnecting(false);
    }
  };

  const status = statusLine(state, origin);
  return (
    <div className="max-w-3xl space-y-6">
      <header>
        <h1 className="text-2xl font-semibold text-slate-900">Get the extension</h1>
        <p className="mt-1 text-sm text-slate-600">
          The Stepwise extension for Chrome records workflows and guides you through them, step by step, in the apps you use.
        </p>
      </header>

      <Alert tone={status.tone}>
        <div className="flex items-center justify-between gap-4">
          <span data-testid="extension-status">{status.text}</span>
          <Button variant="ghost" size="sm" onClick={() => void check()} disabled={state.kind === 'checking'}>
            Check again
          </Button>
        </div>
      </Alert>

      <Card title="1. Install it" headingId="install-heading" description="This download is set up for this server, so there is nothing to type.">
        <a
          href="/api/extension.zip"
          download="stepwise-extension.zip"
          className="inline-flex items-center gap-2 rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          Download the extension (.zip)
        </a>
        <p className="mt-3 text-sm text-slate-600">Unzip the file, then in Chrome:</p>
        <ol className="mt-2 list-decimal space-y-2 pl-6 text-sm text-slate-800">
          <li>
            Open <span className={code}>chrome://extensions</span> (type it in the address bar).
          </li>
          <li>
            Turn on <strong>Developer mode</strong> (top right).
          </li>
          <li>
            Click <strong>Load unpacked</strong> and choose the unzipped folder.
          </li>
        </ol>
      </Card>

      <Card title="2. Connect it" headingId="connect-heading" description="Signs the extension in as you, on this server. No password to type.">
        <div className="flex items-center gap-3">
          <Button onClick={() => void connect()} busy={connecting} disabled={state.kind !== 'installed'}>
            Connect the extension
          </Button>
          {state.kind === 'missing' && <span className="text-sm text-slate-600">Install the extension first.</span>}
        </div>
        {error && (
          <Alert tone="error" className="mt-4">
            {error}
          </Alert>
        )}
      </Card>
    </div>
  );
}
