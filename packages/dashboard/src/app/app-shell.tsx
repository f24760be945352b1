import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router-dom';
import { Alert } from '../components/ui/alert';
import { Badge } from '../components/ui/badge';
import { Button } from '../components/ui/button';
import { Logo } from '../components/ui/logo';
import { cn } from '../lib/cn';
import { eventStream } from '../lib/event-stream';
import { NotificationBell } from '../features/notifications/components/notification-bell';
import { roleLabel } from '../lib/format';
import { SIGNED_OUT_NOTICE, useAuthStore } from '../stores/auth-store';

const linkClass = ({ isActive }: { isActive: boolean }) =>
  cn(
    'rounded-md px-3 py-2 text-sm font-medium focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600',
    isActive ? 'bg-indigo-50 text-indigo-800' : 'text-slate-700 hover:bg-slate-100 hover:text-slate-900',
  );

/** The frame of every signed-in page: who you are, where you can go, and a way out. */
export function AppShell() {
  const me = useAuthStore((s) => s.me);
  const token = useAuthStore((s) => s.token);
  const location = useLocation();

  // One live connection per signed-in tab: labeling progress, status changes, notifications.
  useEffect(() => {
    if (!token) return;
    eventStream.connect(token);
    return () => eventStream.disconnect();
  }, [token]);
  const [flash, setFlash] = useState<string | null>(null);

  // A page that sent the person here may say why (e.g. a member who tried to open Settings).
  useEffect(() => {
    const message = (location.state as { flash?: string } | null)?.flash;
    setFlash(message ?? null);
  }, [location.key, location.state]);

  if (!me) return null;
  const isAdmin = me.role === 'admin';

  // The guard sees the token go and sends the person to sign in, where the notice is shown.
  const signOut = () => useAuthStore.getState().signOut({ text: SIGNED_OUT_NOTICE, tone: 'info' }, true);

  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow">
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-16 max-w-7xl items-center gap-6 px-8">
          <Logo />
          <span className="h-6 w-px bg-slate-200" aria-hidden="true" />
          <p className="max-w-xs truncate text-sm font-semibold text-slate-800" title={me.company.name} data-testid="company-name">
            {me.company.name}
          </p>
          <nav aria-label="Main" className="ml-4 flex items-center gap-1">
            <NavLink to="/workflows" className={linkClass}>
              Workflows
            </NavLink>
            <NavLink to="/account" className={linkClass}>
              Account
            </NavLink>
            <NavLink to="/extension" className={linkClass}>
              Get the extension
            </NavLink>
            {isAdmin && (
              <NavLink to="/heal-reviews" className={linkClass}>
                Heal reviews
              </NavLink>
            )}
            {isAdmin && (
              <NavLink to="/settings" className={linkClass}>
                Settings
              </NavLink>
            )}
          </nav>
          <div className="ml-auto flex items-center gap-4">
            {isAdmin && <NotificationBell />}
            <div className="text-right leading-tight">
              <p className="max-w-[16rem] truncate text-sm font-medium text-slate-900" data-testid="user-name">
                {me.name}
              </p>
              <p className="max-w-[16rem] truncate text-xs text-slate-600">{me.email}</p>
            </div>
            <Badge tone={isAdmin ? 'indigo' : 'slate'}>{roleLabel(me.role)}</Badge>
            <Button variant="secondary" size="sm" onClick={signOut}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl px-8 py-8">
        {flash && (
          <div className="mb-6 flex items-start gap-3">
            <Alert tone="warning" className="flex-1">
              {flash}
            </Alert>
            <Button variant="ghost" size="sm" onClick={() => setFlash(null)} aria-label="Dismiss message">
              Dismiss
            </Button>
          </div>
        )}
        <Outlet />
      </main>
    </div>
  );
}
