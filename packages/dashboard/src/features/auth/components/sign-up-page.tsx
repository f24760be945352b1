import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Button } from '../../../components/ui/button';
import { TextField } from '../../../components/ui/text-field';
import { formErrorsFrom, noFormErrors, type FormErrors } from '../../../lib/form-errors';
import { useAuthStore } from '../../../stores/auth-store';
import { signUp } from '../api/auth-api';
import { AuthLayout } from './auth-layout';
import { FormMessage } from './form-message';

const FIELDS = ['name', 'email', 'password', 'company_name'] as const;
export const EMAIL_TAKEN_MESSAGE = 'An account with this email already exists. Sign in instead, or use another email.';

export function SignUpPage() {
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', email: '', password: '', company_name: '' });
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);

  useEffect(() => {
    document.title = 'Create your company · Stepwise';
  }, []);

  const set = (field: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [field]: e.target.value }));

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(noFormErrors);
    try {
      const auth = await signUp(form);
      useAuthStore.getState().signIn(auth.token);
      navigate('/', { replace: true });
    } catch (err) {
      setErrors(formErrorsFrom(err, FIELDS, { EMAIL_TAKEN: { field: 'email', message: EMAIL_TAKEN_MESSAGE } }));
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Create your company"
      subtitle="You will be its admin and can invite your team afterwards."
      footer={
        <>
          Already have an account?{' '}
          <Link to="/login" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label="Create your company">
        <TextField label="Your name" name="name" autoComplete="name" value={form.name} onChange={set('name')} error={errors.fields['name']} autoFocus />
        <TextField label="Work email" type="email" name="email" autoComplete="email" value={form.email} onChange={set('email')} error={errors.fields['email']} />
        <TextField label="Password" type="password" name="password" autoComplete="new-password" hint="8 to 72 characters." value={form.password} onChange={set('password')} error={errors.fields['password']} />
        <TextField label="Company name" name="company_name" autoComplete="organization" value={form.company_name} onChange={set('company_name')} error={errors.fields['company_name']} />
        <FormMessage errors={errors} />
        <Button type="submit" busy={busy} className="w-full">
          Create company
        </Button>
      </form>
    </AuthLayout>
  );
}
