export function Logo({ className }: { className?: string }) {
  return (
    <span className={className}>
      <span className="inline-flex items-center gap-2 text-lg font-bold tracking-tight text-slate-900">
        <svg viewBox="0 0 32 32" className="h-7 w-7" aria-hidden="true">
          <rect width="32" height="32" rx="7" fill="#4f46e5" />
          <path d="M8 22h6v-6h6v-6h4" stroke="white" strokeWidth="3" fill="none" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        Stepwise
      </span>
    </span>
  );
}
