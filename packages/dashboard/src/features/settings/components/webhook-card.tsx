import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { Company } from '@stepwise/api-types';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { cn } from '../../../lib/cn';
import { copyText } from '../../../lib/copy-text';
import { formErrorsFrom, noFormErrors, type FormErrors } from '../../../lib/form-errors';
import { toast } from '../../../stores/toast-store';
import { removeWebhook, setWebhookUrl } from '../api/settings-api';

const FIELD = 'settings.webhook_url';
/** The contract's `maxLength` of `webhook_url`. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Where the company's alerts are posted, and the secret that signs them. */
export function WebhookCard({ company, onSaved, className }: { company: Company; onSaved: (company: Company) => void; className?: string }) {
  const savedUrl = company.settings.webhook_url ?? '';
  const [text, setText] = useState(savedUrl);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  // The Remove button that opened the dialog is gone once the webhook is: focus goes to the field.
  const focusFieldAfterRemove = useRef(false);
  const error = errors.fields[FIELD] ?? errors.form ?? null;

  useEffect(() => {
    setText(savedUrl);
    if (focusFieldAfterRemove.current) {
      focusFieldAfterRemove.current = false;
      inputRef.current?.focus();
    }
  }, [savedUrl]);

  const url = text.trim();
  const dirty = url !== '' && url !== savedUrl;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!dirty) return;
    setBusy(true);
    setErrors(noFormErrors);
    try {
      const updated = await setWebhookUrl(url);
      onSaved(updated);
      toast.success('Webhook saved', `Alerts are posted to ${updated.settings.webhook_url ?? url}.`);
    } catch (err) {
      // What the user typed stays in the field, with the server's reason under it.
      setErrors(formErrorsFrom(err, [FIELD]));
    } finally {
      setBusy(false);
      // Save is disabled while it runs, which drops the focus; the field is the place to go on from.
      const active = document.activeElement;
      if (!active || active === document.body || formRef.current?.contains(active)) inputRef.current?.focus();
    }
  };

  const onRemove = async () => {
    setRemoving(true);
    try {
      const updated = await removeWebhook();
      setErrors(noFormErrors);
      setConfirming(false);
      focusFieldAfterRemove.current = true;
      onSaved(updated);
      toast.success('Webhook removed', 'Alerts are no longer posted anywhere; they still appear in the dashboard.');
    } catch {
      // The interceptor has shown the error; keep the dialog open to try again.
    } finally {
      setRemoving(false);
    }
  };

  return (
    <Card
      className={className}
      title="Webhook"
      headingId="webhook-heading"
      description="Stepwise posts the company’s error and warning alerts to this address as JSON; failed deliveries are retried."
    >
      <div className="flex items-center justify-between gap-4 rounded-md border border-slate-200 bg-slate-50 px-4 py-3">
        <div className="min-w-0">
          <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Current webhook</p>
          {savedUrl ? (
            <p data-testid="webhook-current" className="mt-0.5 break-all font-mono text-sm text-slate-900">
              {savedUrl}
            </p>
          ) : (
            <p data-testid="webhook-current" className="mt-0.5 text-sm text-slate-600">
              No webhook
            </p>
          )}
        </div>
        {savedUrl && (
          <Button variant="danger-ghost" size="sm" aria-label="Remove webhook" onClick={() => setConfirming(true)}>
            Remove
          </Button>
        )}
      </div>

      <form ref={formRef} onSubmit={onSubmit} noValidate aria-label="Set the webhook" className="mt-5">
        <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
          Webhook URL
        </label>
        <div className="mt-1 flex items-center gap-3">
          <input
            ref={inputRef}
            id={inputId}
            name="webhook_url"
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            maxLength={MAX_WEBHOOK_URL_LENGTH}
            placeholder="https://hooks.example.com/stepwise"
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${inputId}-error ${inputId}-hint` : `${inputId}-hint`}
            className={cn(
              'block w-full min-w-0 flex-1 rounded-md border px-3 py-2 font-mono text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:outline-none focus:ring-2',
              error ? 'border-red-500 focus:border-red-600 focus:ring-red-200' : 'border-slate-300 focus:border-indigo-600 focus:ring-indigo-200',
            )}
          />
          <Button type="submit" busy={busy} disabled={!dirty} aria-label="Save webhook">
            Save
          </Button>
        </div>
        {error && (
          <p id={`${inputId}-error`} className="mt-1 text-sm text-red-700">
            {error}
          </p>
        )}
        <p id={`${inputId}-hint`} className="mt-1 text-xs text-slate-600">
          Checked when you save: an http:// or https:// address on the public internet, with no user name or password in it.
        </p>
      </form>

      <WebhookSecret secret={company.webhook_secret} />

      <ConfirmDialog
        open={confirming}
        title="Remove the webhook?"
        confirmLabel="Remove webhook"
        busy={removing}
        onConfirm={onRemove}
        onCancel={() => setConfirming(false)}
      >
        <p>
          Stepwise stops posting alerts to <span className="break-all font-mono">{savedUrl}</span>.
        </p>
        <p className="mt-2">They still appear in the dashboard’s notifications.</p>
      </ConfirmDialog>
    </Card>
  );
}

/** The signing secret: masked until shown, copied without being shown. */
function WebhookSecret({ secret }: { secret: string }) {
  const secretId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2500);
    return () => clearTimeout(t);
  }, [copied]);

  const onCopy = async () => {
    if (await copyText(secret, null)) {
      setCopied(true);
      return;
    }
    // A masked field cannot be copied from: show the secret, then copy the selection.
    flushSync(() => setShown(true));
    if (await copyText(secret, inputRef.current)) setCopied(true);
    else {
      inputRef.current?.select();
      toast.info('Copy the selected secret', 'Your browser did not allow copying; press Ctrl+C to copy it.');
    }
  };

  return (
    <div className="mt-5 border-t border-slate-200 pt-5">
      <label htmlFor={secretId} className="block text-sm font-medium text-slate-800">
        Signing secret
      </label>
      <div className="mt-1 flex items-center gap-3">
        <input
          ref={inputRef}
          id={secretId}
          type={shown ? 'text' : 'password'}
          readOnly
          value={secret}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${secretId}-about`}
          onFocus={(e) => shown && e.currentTarget.select()}
          className="block w-full min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-800 focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-200"
        />
        <Button variant="secondary" className="w-20" aria-controls={secretId} aria-label={shown ? 'Hide signing secret' : 'Show signing secret'} onClick={() => setShown((s) => !s)}>
          {shown ? 'Hide' : 'Show'}
        </Button>
        <Button variant="secondary" className="w-28" aria-label={copied ? undefined : 'Copy signing secret'} onClick={onCopy}>
          {copied ? 'Copied ✓' : 'Copy'}
        </Button>
      </div>
      <p id={`${secretId}-about`} className="mt-1 text-xs text-slate-600">
        Each POST carries <Code>X-Stepwise-Signature: sha256=&lt;HMAC-SHA256 of the body with this secret&gt;</Code>, <Code>X-Stepwise-Event</Code> (the alert
        type) and <Code>X-Stepwise-Delivery</Code> (unchanged on retries).
      </p>
      <p role="status" className="mt-1 text-sm text-emerald-700">
        {copied ? 'The secret is on your clipboard.' : ''}
      </p>
    </div>
  );
}

function Code({ children }: { children: string }) {
  return <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[11px] text-slate-800">{children}</code>;
}
