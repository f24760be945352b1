import type { ReactNode } from 'react';
import { Logo } from '../../../components/ui/logo';

/** The frame of the signed-out pages: the product on the left, the form on the right. */
export function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-[40%] flex-col justify-between bg-indigo-950 p-12 text-indigo-50 lg:flex">
        <Logo className="[&_span]:text-white" />
        <div>
          <p className="text-3xl font-semibold leading-tight text-white">Record it once. Guide everyone through it.</p>
          <p className="mt-4 max-w-md text-base text-indigo-200">
            Stepwise turns a recorded task into an interactive walkthrough that finds its way even when the app changes.
          </p>
        </div>
        <p className="text-sm text-indigo-300">Record · Review · Publish · Guide</p>
      </aside>
      <main className="flex flex-1 items-center justify-center px-6 py-12">
        <div className="w-full max-w-md">
          <div className="mb-8 lg:hidden">
            <Logo />
          </div>
          <h1 className="text-2xl font-semibold text-slate-900">{title}</h1>
          {subtitle && <div className="mt-2 text-sm text-slate-600">{subtitle}</div>}
          <div className="mt-8">{children}</div>
          {footer && <div className="mt-8 text-sm text-slate-600">{footer}</div>}
        </div>
      </main>
    </div>
  );
}
