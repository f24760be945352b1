import type { ReactNode } from 'react';
import { cn } from '../../lib/cn';

const tones = {
  indigo: 'bg-indigo-50 text-indigo-800 ring-indigo-200',
  slate: 'bg-slate-100 text-slate-700 ring-slate-200',
  green: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  amber: 'bg-amber-50 text-amber-900 ring-amber-300',
  red: 'bg-red-50 text-red-800 ring-red-200',
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({ tone = 'slate', children, className, title }: { tone?: BadgeTone; children: ReactNode; className?: string; title?: string }) {
  return (
    <span title={title} className={cn('inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset', tones[tone], className)}>
      {children}
    </span>
  );
}
