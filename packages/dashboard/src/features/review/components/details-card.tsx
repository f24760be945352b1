import { type FormEvent, useEffect, useId, useState } from 'react';
import { Alert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { TextField } from '../../../components/ui/text-field';
import { toApiError } from '../../../lib/api-error';
import { type FormErrors, formErrorsFrom, noFormErrors } from '../../../lib/form-errors';
import type { WorkflowDetail, WorkflowUpdateRequest } from '../../../lib/schemas';
import { toast } from '../../../stores/toast-store';

export interface DetailsDraft {
  name: string;
  description: string;
  starting_url: string;
  tags: string;
}

export function draftOf(w: WorkflowDetail): DetailsDraft {
  return { name: w.name, description: w.description ?? '', starting_url: w.starting_url, tags: w.tags.join(', ') };
}

/** `"a, b,, a "` → `["a", "b"]`: trimmed, no blanks, no repeats, in the order typed. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const t = raw.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Only the fields that changed, as the PUT body; null when nothing did. */
export function changesOf(w: WorkflowDetail, d: DetailsDraft): WorkflowUpdateRequest | null {
  const body: WorkflowUpdateRequest = {};
  if (d.name.trim() !== w.name) body.name = d.name.trim();
  const description = d.description.trim();
  if (description !== (w.description ?? '')) body.description = description === '' ? null : description;
  if (d.starting_url.trim() !== w.starting_url) body.starting_url = d.starting_url.trim();
  const tags = parseTags(d.tags);
  if (tags.join('\u0000') !== w.tags.join('\u0000')) body.tags = tags;
  return Object.keys(body).length > 0 ? body : null;
}

const FIELDS = ['name', 'description', 'starting_url', 'tags'] as const;

/** Name, description, starting URL and tags: editable for admins, read for members. */
export function DetailsCard({ workflow, canEdit, onSave }: { workflow: WorkflowDetail; canEdit: boolean; onSave: (patch: WorkflowUpdateRequest) => Promise<void> }) {
  const [draft, setDraft] = useState<DetailsDraft>(() => draftOf(workflow));
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const [saving, setSaving] = useState(false);
  const descriptionId = useId();
  const changes = changesOf(workflow, draft);

  // When the workflow changes underneath (a reload), untouched fields follow it.
  const [base, setBase] = useState(workflow);
  useEffect(() => {
    if (base === workflow) return;
    setDraft((d) => {
      const before = draftOf(base);
      const after = draftOf(workflow);
      return {
        name: d.name === before.name ? after.name : d.name,
        description: d.description === before.description ? after.description : d.description,
        starting_url: d.starting_url === before.starting_url ? after.starting_url : d.starting_url,
        tags: d.tags === before.tags ? after.tags : d.tags,
      };
    });
    setBase(workflow);
  }, [workflow, base]);

  if (!canEdit) {
    return (
      <Card title="About this workflow" headingId="details-heading">
        <dl className="space-y-3 text-sm">
          <div>
            <dt className="text-slate-600">Description</dt>
            <dd className="mt-0.5 whitespace-pre-wrap break-words text-slate-900">{workflow.description || '—'}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Starts at</dt>
            <dd className="mt-0.5 break-all text-slate-900">{workflow.starting_url}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Tags</dt>
            <dd className="mt-0.5 text-slate-900">{workflow.tags.length ? workflow.tags.join(', ') : '—'}</dd>
          </div>
        </dl>
      </Card>
    );
  }

  const set = (field: keyof DetailsDraft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!changes) return;
    if (parseTags(draft.tags).some((t) => t.length > 64)) {
      setErrors({ ...noFormErrors, fields: { tags: 'Each tag can be at most 64 characters' } });
      return;
    }
    setSaving(true);
    setErrors(noFormErrors);
    try {
      await onSave(changes);
      toast.success('Details saved');
    } catch (err) {
      const error = toApiError(err);
      setErrors(
        error.status === 412
          ? { ...noFormErrors, form: 'Not saved: someone changed this workflow since you opened it. Reload to see their version, then make your change again.' }
          : formErrorsFrom(error, FIELDS),
      );
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card title="Details" headingId="details-heading">
      <form className="space-y-4" onSubmit={onSubmit} noValidate>
        <TextField label="Name" name="name" value={draft.name} maxLength={200} onChange={set('name')} error={errors.fields['name']} required />
        <div>
          <label htmlFor={descriptionId} className="block text-sm font-medium text-slate-800">
            Description
          </label>
          <textarea
            id={descriptionId}
            name="description"
            rows={3}
            maxLength={5000}
            value={draft.description}
            onChange={set('description')}
            aria-invalid={errors.fields['description'] ? true : undefined}
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-200"
          />
          {errors.fields['description'] && <p className="mt-1 text-sm text-red-700">{errors.fields['description']}</p>}
        </div>
        <TextField label="Starting URL" name="starting_url" type="url" value={draft.starting_url} maxLength={2048} onChange={set('starting_url')} error={errors.fields['starting_url']} />
        <TextField label="Tags" name="tags" value={draft.tags} onChange={set('tags')} hint="Separate tags with commas." error={errors.fields['tags']} />
        {errors.form && (
          <Alert tone="error">
            {errors.form}
            {errors.requestId && <p className="mt-1 font-mono text-xs">Request ID: {errors.requestId}</p>}
          </Alert>
        )}
        <div className="flex items-center justify-end gap-3">
          {changes && <span className="text-xs text-slate-600">Unsaved changes</span>}
          <Button variant="secondary" disabled={!changes || saving} onClick={() => setDraft(draftOf(workflow))}>
            Undo
          </Button>
          <Button type="submit" busy={saving} disabled={!changes}>
            Save details
          </Button>
        </div>
      </form>
    </Card>
  );
}
