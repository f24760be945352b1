import { Suspense, lazy } from 'react';
import { Navigate, type RouteObject } from 'react-router-dom';
import { LoadingState } from '../components/ui/spinner';
import { HealReviewsPage } from '../features/health/components/heal-reviews-page';
import { AccountPage } from '../features/account/components/account-page';
import { JoinPage } from '../features/auth/components/join-page';
import { SignInPage } from '../features/auth/components/sign-in-page';
import { SignUpPage } from '../features/auth/components/sign-up-page';
import { SettingsPage } from '../features/settings/components/settings-page';
import { NotificationsPage } from '../features/notifications/components/notifications-page';
import { ReviewPage } from '../features/review/components/review-page';
import { WorkflowsPage } from '../features/workflows/components/workflows-page';
import { AppShell } from './app-shell';

// The health page carries the chart library (and the scheduled check); it loads when first opened,
// not with the first page. So does a check run's filmstrip.
const WorkflowHealthRoute = lazy(() => import('./workflow-health-route'));
const CheckRunPage = lazy(() => import('../features/checks/components/check-run-page'));
// The extension's pages are opened once in a while (installing it, a share link): loaded when opened.
const GetExtensionPage = lazy(() => import('../features/extension/components/get-extension-page'));
const GuideLinkPage = lazy(() => import('../features/guide/components/guide-link-page'));
import { HOME_PATH, PublicOnly, RequireAdmin, RequireAuth } from './guards';
import { NotFoundPage } from './not-found-page';

export const routes: RouteObject[] = [
  {
    element: <PublicOnly />,
    children: [
      { path: '/login', element: <SignInPage /> },
      { path: '/signup', element: <SignUpPage /> },
    ],
  },
  { path: '/join/:token', element: <JoinPage /> },
  // A guide's share link: public, since the extension (not the dashboard) holds the user's sign-in.
  {
    path: '/guide/:id',
    element: (
      <Suspense fallback={<LoadingState label="Loading…" />}>
        <GuideLinkPage />
      </Suspense>
    ),
  },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <AppShell />,
        children: [
          { path: '/', element: <Navigate to={HOME_PATH} replace /> },
          { path: '/workflows', element: <WorkflowsPage /> },
          { path: '/workflows/:id', element: <ReviewPage /> },
          { path: '/account', element: <AccountPage /> },
          {
            path: '/extension',
            element: (
              <Suspense fallback={<LoadingState label="Loading…" />}>
                <GetExtensionPage />
              </Suspense>
            ),
          },
          {
            element: <RequireAdmin />,
            children: [
              { path: '/settings', element: <SettingsPage /> },
              { path: '/notifications', element: <NotificationsPage /> },
              { path: '/heal-reviews', element: <HealReviewsPage /> },
              {
                path: '/workflows/:id/health',
                element: (
                  <Suspense fallback={<LoadingState label="Loading health…" />}>
                    <WorkflowHealthRoute />
                  </Suspense>
                ),
              },
              {
                path: '/workflows/:id/checks/:runId',
                element: (
                  <Suspense fallback={<LoadingState label="Loading the check…" />}>
                    <CheckRunPage />
                  </Suspense>
                ),
              },
            ],
          },
        ],
      },
    ],
  },
  { path: '*', element: <NotFoundPage /> },
];
