import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { Alert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { TextField } from '../../../components/ui/text-field';
import { formErrorsFrom, noFormErrors, type FormErrors } from '../../../lib/form-errors';
import { useAuthStore } from '../../../stores/auth-store';
import { logIn } from '../api/auth-api';
import { AuthLayout } from './auth-layout';
import { FormMessage } from './form-message';

const FIELDS = ['email', 'password'] as const;

export function SignInPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const notice = useAuthStore((s) => s.notice);
  const from = (location.state as { from?: string } | null)?.from;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);

  useEffect(() => {
    document.title = 'Sign in · Stepwise';
  }, []);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(noFormErrors);
    try {
      const auth = await logIn({ email, password });
      useAuthStore.getState().signIn(auth.token);
      navigate(from && from.startsWith('/') && !from.startsWith('//') ? from : '/', { replace: true });
    } catch (err) {
      setErrors(formErrorsFrom(err, FIELDS, { INVALID_CREDENTIALS: { message: 'Email or password is incorrect.' } }));
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Sign in to Stepwise"
      footer={
        <>
          New to Stepwise?{' '}
          <Link to="/signup" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
            Create a company account
          </Link>
        </>
      }
    >
      {notice && (
        <Alert tone={notice.tone} className="mb-6">
          {notice.text}
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label="Sign in">
        <TextField label="Email" type="email" name="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.fields['email']} autoFocus />
        <TextField label="Password" type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.fields['password']} />
        <FormMessage errors={errors} />
        <Button type="submit" busy={busy} className="w-full">
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
