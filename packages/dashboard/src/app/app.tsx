import { RouterProvider, type createBrowserRouter } from 'react-router-dom';
import { Toaster } from '../components/ui/toaster';

export function App({ router }: { router: ReturnType<typeof createBrowserRouter> }) {
  return (
    <>
      <RouterProvider router={router} future={{ v7_startTransition: true }} />
      <Toaster />
    </>
  );
}
