import { useEffect, useId, useRef, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { toast } from '../../../stores/toast-store';
import { type ExportFormat, exportWorkflow } from '../api/review-api';

export const EXPORTS: { format: ExportFormat; label: string; hint: string }[] = [
  { format: 'devtools', label: 'Chrome DevTools recording', hint: 'JSON for the Recorder panel and @puppeteer/replay' },
  { format: 'playwright', label: 'Playwright test', hint: 'A test script that repeats the steps' },
  { format: 'markdown', label: 'How-to document (Markdown)', hint: 'Numbered steps with screenshots' },
  { format: 'html', label: 'How-to document (printable HTML)', hint: 'Open it and print, or save as PDF' },
];

function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** One recording, several outputs: a disclosure with one button per export format. */
export function ExportMenu({ workflowId }: { workflowId: number }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const menuId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    rootRef.current?.querySelector<HTMLButtonElement>('[data-export]')?.focus();
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const run = async (format: ExportFormat, label: string) => {
    setBusy(format);
    try {
      const { blob, filename } = await exportWorkflow(workflowId, format);
      saveFile(blob, filename);
      toast.success(`Exported: ${label}`, filename);
      setOpen(false);
    } catch {
      // The interceptor has shown the error.
    } finally {
      setBusy(null);
    }
  };

  return (
    <div
      ref={rootRef}
      className="relative"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <Button ref={buttonRef} variant="secondary" aria-expanded={open} aria-controls={menuId} onClick={() => setOpen((o) => !o)}>
        Export <span aria-hidden="true">▾</span>
      </Button>
      {open && (
        <div id={menuId} role="group" aria-label="Export formats" className="absolute right-0 z-30 mt-2 w-80 rounded-lg border border-slate-200 bg-white p-1 shadow-lg">
          {EXPORTS.map(({ format, label, hint }) => (
            <button
              key={format}
              type="button"
              data-export={format}
              disabled={busy !== null}
              onClick={() => void run(format, label)}
              className="block w-full rounded-md px-3 py-2 text-left hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:opacity-60"
            >
              <span className="block text-sm font-medium text-slate-900">
                {label}
                {busy === format && <span className="ml-2 text-xs font-normal text-slate-600">Preparing…</span>}
              </span>
              <span className="block text-xs text-slate-600">{hint}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
