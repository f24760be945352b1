import { render } from '@testing-library/react';
import { RouterProvider, createMemoryRouter } from 'react-router-dom';
import type { Me } from '@stepwise/api-types';
import { routes } from '../app/routes';
import { Toaster } from '../components/ui/toaster';
import { useAuthStore } from '../stores/auth-store';

/** Signs in as `me` without a network round trip. */
export function signInAs(me: Me, token = 'test-token') {
  useAuthStore.setState({ token, me, notice: null });
}

/** The whole app at `path`, on a memory router, with the toaster. */
export function renderApp(path: string) {
  const router = createMemoryRouter(routes, {
    initialEntries: [path],
    future: { v7_relativeSplatPath: true, v7_fetcherPersist: true, v7_normalizeFormMethod: true, v7_partialHydration: true, v7_skipActionErrorRevalidation: true },
  });
  const utils = render(
    <>
      <RouterProvider router={router} future={{ v7_startTransition: true }} />
      <Toaster />
    </>,
  );
  return { ...utils, router };
}
