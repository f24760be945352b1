import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { CheckStatusBadge } from '../../../components/ui/check-status-badge';
import { toApiError } from '../../../lib/api-error';
import { cn } from '../../../lib/cn';
import { formatDateTime } from '../../../lib/format';
import { type FormErrors, formErrorsFrom, noFormErrors } from '../../../lib/form-errors';
import type { CheckMode, WorkflowCheck, WorkflowCheckUpdate, WorkflowDetail } from '../../../lib/schemas';
import { toast } from '../../../stores/toast-store';
import { runCheckNow, updateWorkflowCheck } from '../api/checks-api';
import { INTERVALS, MAX_VALUE_LENGTH, MODE_LABELS, intervalLabel, replayValueSteps } from './check-labels';
import { type ReplayDraft, ReplayValues, noReplayDraft, replayValuesUpdate } from './replay-values';

export interface CheckForm {
  interval: number;
  mode: CheckMode;
  values: ReplayDraft;
}

/**
 * What Save sends: only what changed (the server keeps fields left out), and the replay values only
 * while replay is chosen (values typed into a section then hidden are not sent). Null when there is
 * nothing to save; `errors` when a value is refused before asking the server.
 */
export function checkUpdate(check: WorkflowCheck, form: CheckForm): { update: WorkflowCheckUpdate | null; errors: Record<string, string> } {
  const update: WorkflowCheckUpdate = {};
  const errors: Record<string, string> = {};
  if (form.interval !== check.interval_minutes) update.interval_minutes = form.interval;
  if (form.mode !== check.mode) update.mode = form.mode;
  if (form.mode === 'replay') {
    const values = replayValuesUpdate(form.values);
    for (const [id, v] of Object.entries(values)) {
      if (v !== null && v.length > MAX_VALUE_LENGTH) errors[`values.${id}`] = `At most ${MAX_VALUE_LENGTH} characters`;
    }
    if (Object.keys(values).length > 0) update.values = values;
  }
  return { update: Object.keys(update).length > 0 ? update : null, errors };
}

const MODES: readonly { mode: CheckMode; label: string; help: string }[] = [
  { mode: 'locate', label: 'Locate — safe (default)', help: 'Opens each step’s page and finds its element. Never types, selects or submits anything, so it is safe on a live app.' },
  { mode: 'replay', label: 'Replay — performs every step', help: 'Clicks, types, selects and submits as a colleague would. For test and staging apps.' },
];

/** Why Check now cannot run for this workflow (the server answers 409 for the same reasons), or null. */
export function checkNowBlocked(workflow: Pick<WorkflowDetail, 'status' | 'steps'>): string | null {
  if (workflow.status === 'processing') return 'The workflow is being labeled; check it once labeling has finished.';
  if (workflow.status === 'archived') return 'An archived workflow is not checked.';
  if (workflow.steps.length === 0) return 'The workflow has no steps to check.';
  return null;
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700">
      {message}
    </p>
  );
}

/** A workflow's scheduled check: on or off, how often, how, and where it stands; Check now. */
export function ScheduledCheckCard({ workflow, check, onSaved }: { workflow: WorkflowDetail; check: WorkflowCheck; onSaved: (check: WorkflowCheck) => void }) {
  const navigate = useNavigate();
  const ids = { switchLabel: useId(), switchError: useId(), interval: useId(), mode: useId(), form: useId() };
  const [interval, setIntervalMinutes] = useState(check.interval_minutes);
  const [mode, setMode] = useState<CheckMode>(check.mode);
  const [values, setValues] = useState<ReplayDraft>(noReplayDraft);
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const [saving, setSaving] = useState(false);
  const [toggling, setToggling] = useState(false);
  const [switchError, setSwitchError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [runProblem, setRunProblem] = useState<string | null>(null);

  // The saved settings are what the form starts from, again after each save.
  useEffect(() => {
    setIntervalMinutes(check.interval_minutes);
    setMode(check.mode);
  }, [check.interval_minutes, check.mode]);

  const replaySteps = replayValueSteps(workflow.steps);
  const { update } = checkUpdate(check, { interval, mode, values });
  const dirty = update !== null;
  const blocked = checkNowBlocked(workflow);
  const intervals = INTERVALS.some((i) => i.minutes === check.interval_minutes) ? INTERVALS : [...INTERVALS, { minutes: check.interval_minutes, label: intervalLabel(check.interval_minutes) }].sort((a, b) => a.minutes - b.minutes);

  const toggle = async () => {
    setToggling(true);
    setSwitchError(null);
    try {
      const saved = await updateWorkflowCheck(workflow.id, { enabled: !check.enabled });
      onSaved(saved);
      toast.success(
        saved.enabled ? 'Scheduled check on' : 'Scheduled check off',
        saved.enabled ? `The first check runs within ${intervalLabel(saved.interval_minutes)}.` : 'The workflow is no longer checked on a schedule; Check now still works.',
      );
    } catch (e) {
      const fe = formErrorsFrom(e, ['enabled']);
      setSwitchError(fe.fields.enabled ?? fe.form ?? 'The check could not be turned on or off.');
    } finally {
      setToggling(false);
    }
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const planned = checkUpdate(check, { interval, mode, values });
    if (Object.keys(planned.errors).length > 0) {
      setErrors({ ...noFormErrors, fields: planned.errors });
      return;
    }
    if (!planned.update) return;
    setSaving(true);
    setErrors(noFormErrors);
    try {
      const saved = await updateWorkflowCheck(workflow.id, planned.update);
      setValues(noReplayDraft);
      onSaved(saved);
      toast.success('Check settings saved', saved.enabled ? `Checked every ${intervalLabel(saved.interval_minutes)}, ${MODE_LABELS[saved.mode]} mode.` : undefined);
    } catch (err) {
      const valueFields = replaySteps.map((s) => `values.${s.id}`);
      setErrors(formErrorsFrom(err, ['interval_minutes', 'mode', ...valueFields]));
    } finally {
      setSaving(false);
    }
  };

  const checkNow = async () => {
    setRunning(true);
    setRunProblem(null);
    try {
      const run = await runCheckNow(workflow.id);
      navigate(`/workflows/${workflow.id}/checks/${run.id}`);
    } catch (e) {
      setRunProblem(toApiError(e).userMessage);
      setRunning(false);
    }
  };

  const next = !check.enabled ? 'Not scheduled' : workflow.status !== 'active' ? 'When the workflow is published' : formatDateTime(check.next_run_at);

  return (
    <Card
      title="Scheduled check"
      headingId="scheduled-check-heading"
      description="The server walks this workflow in its own browser and reports whether each step’s element is still found, before a colleague meets a broken step."
      actions={
        <Button variant="secondary" busy={running} disabled={blocked !== null} title={blocked ?? undefined} onClick={() => void checkNow()}>
          Check now
        </Button>
      }
    >
      {runProblem && (
        <Alert tone="error" title="The check could not be started" className="mb-4">
          {runProblem}
        </Alert>
      )}
      {blocked && <p className="mb-4 text-sm text-slate-600">{blocked}</p>}

      <dl className="grid grid-cols-3 gap-4 rounded-md border border-slate-200 bg-slate-50 px-4 py-3">
        <div>
          <dt className="text-xs text-slate-600">Last result</dt>
          <dd className="mt-1" data-testid="check-status">
            <CheckStatusBadge status={check.status} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600">Last check</dt>
          <dd className="mt-1 text-sm text-slate-900" data-testid="check-last-run">
            {formatDateTime(check.last_run_at)}
            {check.last_run_id !== null && (
              <>
                {' · '}
                <Link to={`/workflows/${workflow.id}/checks/${check.last_run_id}`} aria-label="View the last check" className="font-medium text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
                  View
                </Link>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600">Next check</dt>
          <dd className="mt-1 text-sm text-slate-900" data-testid="check-next-run">
            {next}
          </dd>
        </div>
      </dl>
      {check.status === 'session_expired' && (
        <Alert tone="warning" title="The saved session has expired" className="mt-4">
          Open the app signed in and choose “Save a session for checks” in the extension’s popup. Saved sessions are listed under{' '}
          <Link to="/settings" className="font-medium underline">
            Sessions for checks in Settings
          </Link>
          .
        </Alert>
      )}

      <div className="mt-5 flex items-center justify-between gap-4">
        <span id={ids.switchLabel} className="text-sm font-medium text-slate-800">
          Check on a schedule
        </span>
        <button
          type="button"
          role="switch"
          aria-checked={check.enabled}
          aria-labelledby={ids.switchLabel}
          aria-describedby={switchError ? ids.switchError : undefined}
          aria-busy={toggling || undefined}
          disabled={toggling}
          onClick={() => void toggle()}
          className={cn(
            'relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors',
            'focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-wait disabled:opacity-60',
            check.enabled ? 'bg-indigo-600' : 'bg-slate-300',
          )}
        >
          <span aria-hidden="true" className={cn('inline-block h-5 w-5 rounded-full bg-white shadow transition-transform', check.enabled ? 'translate-x-5' : 'translate-x-0.5')} />
        </button>
      </div>
      {switchError && (
        <p id={ids.switchError} role="alert" className="mt-2 text-sm text-red-700">
          {switchError}
        </p>
      )}

      <form onSubmit={onSubmit} noValidate aria-label="Check settings" className="mt-5 space-y-5 border-t border-slate-200 pt-5">
        <div>
          <label htmlFor={ids.interval} className="block text-sm font-medium text-slate-800">
            Every
          </label>
          <select
            id={ids.interval}
            name="interval_minutes"
            value={interval}
            onChange={(e) => setIntervalMinutes(Number(e.target.value))}
            aria-invalid={errors.fields.interval_minutes ? true : undefined}
            aria-describedby={errors.fields.interval_minutes ? `${ids.interval}-error` : undefined}
            className={cn(
              'mt-1 block w-40 rounded-md border bg-white px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2',
              errors.fields.interval_minutes ? 'border-red-500 focus:ring-red-200' : 'border-slate-300 focus:border-indigo-600 focus:ring-indigo-200',
            )}
          >
            {intervals.map((i) => (
              <option key={i.minutes} value={i.minutes}>
                {i.label}
              </option>
            ))}
          </select>
          <FieldError id={`${ids.interval}-error`} message={errors.fields.interval_minutes} />
        </div>

        <fieldset aria-describedby={errors.fields.mode ? `${ids.mode}-error` : undefined}>
          <legend className="text-sm font-medium text-slate-800">Mode</legend>
          <div className="mt-2 space-y-2">
            {MODES.map((m) => (
              <label key={m.mode} className={cn('flex cursor-pointer gap-3 rounded-md border px-3 py-2', mode === m.mode ? 'border-indigo-500 bg-indigo-50' : 'border-slate-200')}>
                <input type="radio" name="mode" value={m.mode} checked={mode === m.mode} onChange={() => setMode(m.mode)} aria-describedby={`${ids.mode}-${m.mode}`} className="mt-1 h-4 w-4 text-indigo-600 focus:ring-indigo-500" />
                <span>
                  <span className="block text-sm font-medium text-slate-900">{m.label}</span>
                  <span id={`${ids.mode}-${m.mode}`} className="block text-xs text-slate-600">
                    {m.help}
                  </span>
                </span>
              </label>
            ))}
          </div>
          <FieldError id={`${ids.mode}-error`} message={errors.fields.mode} />
        </fieldset>

        {mode === 'replay' && (
          <>
            <Alert tone="warning" title="Replay changes data in the app">
              Each replay really clicks, types, selects and submits: it creates or changes records every time it runs, on its schedule too. Use it only on a test or staging
              app, never on one with real data.
            </Alert>
            <ReplayValues steps={replaySteps} setIds={check.value_step_ids} draft={values} onChange={setValues} errors={errors.fields} />
          </>
        )}

        {errors.form && (
          <Alert tone="error">
            <p>{errors.form}</p>
            {errors.requestId && <p className="mt-1 font-mono text-xs">Request ID: {errors.requestId}</p>}
          </Alert>
        )}
        <div className="flex items-center gap-3">
          <Button type="submit" busy={saving} disabled={!dirty} aria-label="Save check settings">
            Save
          </Button>
          {dirty && <p className="text-xs text-slate-600">Unsaved changes: Check now and the schedule use the saved settings.</p>}
        </div>
      </form>
    </Card>
  );
}
