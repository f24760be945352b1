import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Alert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState } from '../../../components/ui/spinner';
import { TextField } from '../../../components/ui/text-field';
import { formErrorsFrom, noFormErrors, type FormErrors } from '../../../lib/form-errors';
import { useAsync } from '../../../lib/use-async';
import { useAuthStore } from '../../../stores/auth-store';
import { fetchInvite, signUp } from '../api/auth-api';
import { AuthLayout } from './auth-layout';
import { FormMessage } from './form-message';
import { EMAIL_TAKEN_MESSAGE } from './sign-up-page';

const FIELDS = ['name', 'email', 'password'] as const;
export const INVALID_INVITE_MESSAGE = 'This invite link is not valid any more. It may have been replaced by a newer one — ask your admin for the current link.';

export function JoinPage() {
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const signedIn = useAuthStore((s) => s.token !== null);
  const invite = useAsync((signal) => fetchInvite(token, signal), [token]);
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);

  useEffect(() => {
    document.title = invite.status === 'success' ? `Join ${invite.data.company_name} · Stepwise` : 'Join a company · Stepwise';
  }, [invite.status, invite.data]);

  const set = (field: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [field]: e.target.value }));

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(noFormErrors);
    try {
      const auth = await signUp({ ...form, invite_token: token });
      useAuthStore.getState().signIn(auth.token);
      navigate('/', { replace: true });
    } catch (err) {
      setErrors(
        formErrorsFrom(err, FIELDS, {
          EMAIL_TAKEN: { field: 'email', message: EMAIL_TAKEN_MESSAGE },
          INVALID_INVITE_TOKEN: { message: INVALID_INVITE_MESSAGE },
        }),
      );
      setBusy(false);
    }
  };

  const signInLink = (
    <>
      Already have an account?{' '}
      <Link to="/login" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
        Sign in
      </Link>
    </>
  );

  if (invite.status === 'loading') {
    return (
      <AuthLayout title="Join a company">
        <LoadingState label="Checking your invite link…" />
      </AuthLayout>
    );
  }
  if (invite.status === 'error') {
    const invalid = invite.error.code === 'INVALID_INVITE_TOKEN' || invite.error.code === 'VALIDATION_ERROR' || invite.error.status === 404;
    return (
      <AuthLayout title="This invite link does not work" footer={signInLink}>
        {invalid ? (
          <Alert tone="error" title="Invalid invite link">
            {INVALID_INVITE_MESSAGE}
          </Alert>
        ) : (
          <ErrorState error={invite.error} title="The invite could not be checked" onRetry={invite.reload} />
        )}
      </AuthLayout>
    );
  }

  const company = invite.data.company_name;
  return (
    <AuthLayout title={`Join ${company}`} subtitle={<>Create your account to use {company}’s guides in Stepwise.</>} footer={signInLink}>
      {signedIn && (
        <Alert tone="info" className="mb-6">
          You are signed in already. Creating an account here signs you in as the new account instead.
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label={`Join ${company}`}>
        <TextField label="Your name" name="name" autoComplete="name" value={form.name} onChange={set('name')} error={errors.fields['name']} autoFocus />
        <TextField label="Work email" type="email" name="email" autoComplete="email" value={form.email} onChange={set('email')} error={errors.fields['email']} />
        <TextField label="Password" type="password" name="password" autoComplete="new-password" hint="8 to 72 characters." value={form.password} onChange={set('password')} error={errors.fields['password']} />
        <FormMessage errors={errors} />
        <Button type="submit" busy={busy} className="w-full">
          Join {company}
        </Button>
      </form>
    </AuthLayout>
  );
}
