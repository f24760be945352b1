import { useEffect } from 'react';
import { Link } from 'react-router-dom';
import { Badge } from '../../../components/ui/badge';
import { Card } from '../../../components/ui/card';
import { formatDate, formatDateTime, roleLabel } from '../../../lib/format';
import { useAuthStore } from '../../../stores/auth-store';

/** The signed-in person's own page: who they are, which company, what their role lets them do. */
export function AccountPage() {
  const me = useAuthStore((s) => s.me);
  useEffect(() => {
    document.title = 'Your account · Stepwise';
  }, []);
  if (!me) return null;
  const isAdmin = me.role === 'admin';
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Welcome, {me.name}</h1>
        <p className="mt-1 text-sm text-slate-600">
          You are {isAdmin ? 'an admin' : 'a member'} of <span className="font-medium text-slate-800">{me.company.name}</span>.
        </p>
      </div>
      <div className="grid grid-cols-3 gap-6">
        <Card title="Your account" headingId="account-heading" className="col-span-2">
          <dl className="grid grid-cols-2 gap-x-8 gap-y-5 text-sm">
            <div>
              <dt className="text-slate-600">Name</dt>
              <dd className="mt-1 font-medium text-slate-900">{me.name}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Email</dt>
              <dd className="mt-1 font-medium text-slate-900">{me.email}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Company</dt>
              <dd className="mt-1 font-medium text-slate-900">{me.company.name}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Role</dt>
              <dd className="mt-1">
                <Badge tone={isAdmin ? 'indigo' : 'slate'}>{roleLabel(me.role)}</Badge>
              </dd>
            </div>
            <div>
              <dt className="text-slate-600">Member since</dt>
              <dd className="mt-1 font-medium text-slate-900">{formatDate(me.created_at)}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Last sign-in</dt>
              <dd className="mt-1 font-medium text-slate-900">{formatDateTime(me.last_login_at)}</dd>
            </div>
          </dl>
        </Card>
        <Card title={isAdmin ? 'Your team' : 'Your role'} headingId="role-heading">
          {isAdmin ? (
            <div className="space-y-4 text-sm text-slate-700">
              <p>As an admin you can rename the company, share the invite link and manage who is on the team.</p>
              <Link
                to="/settings"
                className="inline-flex rounded-md bg-indigo-600 px-4 py-2 font-medium text-white shadow-sm hover:bg-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
              >
                Open settings
              </Link>
            </div>
          ) : (
            <p className="text-sm text-slate-700">
              Members use the company’s guides. An admin of {me.company.name} manages the team and the company’s settings — ask one if you need
              access to more.
            </p>
          )}
        </Card>
      </div>
    </div>
  );
}
