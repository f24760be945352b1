import { type FormEvent, useEffect, useState } from 'react';
import type { Company } from '@stepwise/api-types';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { TextField } from '../../../components/ui/text-field';
import { formErrorsFrom, noFormErrors, type FormErrors } from '../../../lib/form-errors';
import { formatDate } from '../../../lib/format';
import { useAuthStore } from '../../../stores/auth-store';
import { toast } from '../../../stores/toast-store';
import { renameCompany } from '../api/settings-api';

export function CompanyNameCard({ company, onSaved, className }: { company: Company; onSaved: (company: Company) => void; className?: string }) {
  const [name, setName] = useState(company.name);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);

  useEffect(() => setName(company.name), [company.name]);

  const dirty = name !== company.name;
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(noFormErrors);
    try {
      const updated = await renameCompany(name);
      onSaved(updated);
      useAuthStore.getState().setCompanyName(updated.name);
      toast.success('Company name saved');
    } catch (err) {
      setErrors(formErrorsFrom(err, ['name']));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      className={className}
      title="Company"
      headingId="company-heading"
      description={`${company.user_count} ${company.user_count === 1 ? 'person' : 'people'} · created ${formatDate(company.created_at)}`}
    >
      <form onSubmit={onSubmit} noValidate className="flex items-start gap-3" aria-label="Company name">
        <TextField
          label="Company name"
          name="company_name"
          className="flex-1"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          error={errors.fields['name'] ?? errors.form ?? undefined}
        />
        <Button type="submit" busy={busy} disabled={!dirty} className="mt-6">
          Save
        </Button>
      </form>
    </Card>
  );
}
