import { useCallback, useEffect, useRef, useState } from 'react';
import type { CheckStep } from '../../../lib/schemas';
import { type Size, boxOnImage } from './box-layout';

/** The page as the check saw it, the element it found outlined (the box follows the image's size). */
export function CheckScreenshot({ step, alt }: { step: CheckStep; alt: string }) {
  const outline = step.outcome === 'uncertain' ? 'border-amber-500' : 'border-indigo-600';
  const imgRef = useRef<HTMLImageElement>(null);
  const [rendered, setRendered] = useState<Size>({ width: 0, height: 0 });
  const [natural, setNatural] = useState<Size | null>(null);
  const [failed, setFailed] = useState(false);

  const measure = useCallback(() => {
    const img = imgRef.current;
    if (!img) return;
    setRendered((r) => (r.width === img.clientWidth && r.height === img.clientHeight ? r : { width: img.clientWidth, height: img.clientHeight }));
    if (img.naturalWidth > 0 && img.naturalHeight > 0) setNatural({ width: img.naturalWidth, height: img.naturalHeight });
  }, []);

  useEffect(() => {
    const img = imgRef.current;
    if (!img || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(img);
    return () => observer.disconnect();
  }, [measure, step.screenshot_url]);

  const url = step.screenshot_url;
  if (!url || failed) {
    return (
      <div className="flex aspect-[16/10] w-full items-center justify-center rounded-md border border-slate-200 bg-slate-100 px-4 text-center text-xs text-slate-600">
        {url ? 'The screenshot could not be loaded (its link lasts 15 minutes: reload the page).' : 'No screenshot was taken of this step.'}
      </div>
    );
  }
  const box = boxOnImage(step.box, { width: step.width, height: step.height }, rendered, natural);
  return (
    <div className="relative w-full overflow-hidden rounded-md border border-slate-200 bg-slate-100">
      <img ref={imgRef} src={url} alt={alt} onLoad={measure} onError={() => setFailed(true)} className="block h-auto w-full" />
      {box && (
        <div
          data-testid="check-box"
          aria-hidden="true"
          className={`pointer-events-none absolute rounded-sm border-[3px] ${outline}`}
          style={{ left: box.left, top: box.top, width: box.width, height: box.height }}
        />
      )}
    </div>
  );
}
