import { useEffect, useState } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { Button } from '../components/ui/button';
import { ErrorState } from '../components/ui/error-state';
import { LoadingState } from '../components/ui/spinner';
import { type ApiError, toApiError } from '../lib/api-error';
import { useAuthStore } from '../stores/auth-store';
import { fetchMe } from '../features/auth/api/auth-api';

export const HOME_PATH = '/workflows';
export const ADMIN_ONLY_MESSAGE = 'Settings are for admins. Ask an admin of your company if something there needs changing.';

/** Signed-in pages: no token → sign in; a token → load who it belongs to first. */
export function RequireAuth() {
  const token = useAuthStore((s) => s.token);
  const me = useAuthStore((s) => s.me);
  const signedOutByUser = useAuthStore((s) => s.signedOutByUser);
  const location = useLocation();
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!token || me) return;
    const controller = new AbortController();
    setError(null);
    fetchMe(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) useAuthStore.getState().setMe(data);
      },
      (e: unknown) => {
        // A 401 has already signed the person out (the interceptor); show anything else.
        if (!controller.signal.aborted) setError(toApiError(e));
      },
    );
    return () => controller.abort();
  }, [token, me, attempt]);

  // Sent to sign in (a link, an expired session): come back here after. Signed out on purpose:
  // start at home next time.
  if (!token) {
    return <Navigate to="/login" replace state={signedOutByUser ? undefined : { from: location.pathname + location.search }} />;
  }
  if (!me) {
    if (error && error.status !== 401) {
      return (
        <div className="mx-auto mt-24 max-w-lg space-y-4">
          <ErrorState error={error} title="Your account could not be loaded" onRetry={() => setAttempt((a) => a + 1)} />
          <div className="text-center">
            <Button variant="ghost" onClick={() => useAuthStore.getState().signOut()}>
              Sign out
            </Button>
          </div>
        </div>
      );
    }
    return <LoadingState label="Loading your account…" />;
  }
  return <Outlet />;
}

/** Admin pages: members are sent home with a message (and the API refuses them anyway). */
export function RequireAdmin() {
  const role = useAuthStore((s) => s.me?.role);
  if (role !== 'admin') return <Navigate to={HOME_PATH} replace state={{ flash: ADMIN_ONLY_MESSAGE }} />;
  return <Outlet />;
}

/** Where a page that sent the person to sign in asked to come back to (a path of ours only). */
export function returnPath(state: unknown): string | null {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') ? from : null;
}

/**
 * Sign-in and sign-up: a signed-in person goes home, or back to the page that sent them here (the
 * sign-in page navigates there too; both must agree, or the one that renders last wins).
 */
export function PublicOnly() {
  const token = useAuthStore((s) => s.token);
  const location = useLocation();
  if (token) return <Navigate to={returnPath(location.state) ?? HOME_PATH} replace />;
  return <Outlet />;
}
