import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <div className="mx-auto mt-24 max-w-md text-center">
      <p className="text-sm font-semibold text-indigo-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">This page does not exist</h1>
      <p className="mt-2 text-sm text-slate-600">The address may be mistyped, or the page has moved.</p>
      <Link to="/" className="mt-6 inline-block font-medium text-indigo-700 underline-offset-2 hover:underline">
        Go to the dashboard
      </Link>
    </div>
  );
}
