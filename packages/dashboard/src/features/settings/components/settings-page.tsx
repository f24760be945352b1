import { useEffect } from 'react';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState } from '../../../components/ui/spinner';
import { useAsync } from '../../../lib/use-async';
import { fetchCompany } from '../api/settings-api';
import { CheckSessionsCard } from './check-sessions-card';
import { CompanyNameCard } from './company-name-card';
import { HealingCard } from './healing-card';
import { InviteLinkCard } from './invite-link-card';
import { LauncherCard } from './launcher-card';
import { TeamCard } from './team-card';
import { WebhookCard } from './webhook-card';

/** Admins only (the router guards it; the API refuses others anyway). */
export function SettingsPage() {
  const company = useAsync((signal) => fetchCompany(signal), []);
  useEffect(() => {
    document.title = 'Settings · Stepwise';
  }, []);

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Settings</h1>
        <p className="mt-1 text-sm text-slate-600">Your company, its invite link, healing, the guide launcher, its webhook, sessions for checks and its team.</p>
      </div>
      {company.status === 'loading' && !company.data && <LoadingState label="Loading settings…" />}
      {company.status === 'error' && <ErrorState error={company.error} title="Settings could not be loaded" onRetry={company.reload} />}
      {company.data && (
        <>
          <div className="grid grid-cols-5 gap-6">
            <CompanyNameCard className="col-span-2" company={company.data} onSaved={(c) => company.setData(() => c)} />
            <InviteLinkCard className="col-span-3" token={company.data.invite_token} onRotated={(t) => company.setData((c) => ({ ...c, invite_token: t }))} />
          </div>
          <HealingCard company={company.data} onSaved={(c) => company.setData(() => c)} />
          <LauncherCard company={company.data} onSaved={(c) => company.setData(() => c)} />
          <WebhookCard company={company.data} onSaved={(c) => company.setData(() => c)} />
          <CheckSessionsCard />
          <TeamCard onTeamSizeChanged={(delta) => company.setData((c) => ({ ...c, user_count: Math.max(0, c.user_count + delta) }))} />
        </>
      )}
    </div>
  );
}
