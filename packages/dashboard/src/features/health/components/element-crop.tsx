import { useState } from 'react';
import type { BoundingBox } from '../../../lib/schemas';
import { cropLayout } from './crop-layout';

const FRAME = { width: 400, height: 240 };

/** A screenshot cropped around one element, the element outlined. */
export function ElementCrop({ url, box, label, tone }: { url: string | null; box: BoundingBox | null; label: string; tone: 'slate' | 'indigo' }) {
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null);
  const [failed, setFailed] = useState(false);
  const outline = tone === 'indigo' ? 'border-indigo-600' : 'border-red-500';
  const layout = natural && box ? cropLayout(box, natural, FRAME) : null;
  return (
    <figure className="min-w-0">
      <div className="relative overflow-hidden rounded-md border border-slate-200 bg-slate-100" style={{ width: FRAME.width, height: FRAME.height }}>
        {!url || failed ? (
          <p className="flex h-full items-center justify-center px-4 text-center text-xs text-slate-600">{url ? 'The screenshot could not be loaded.' : 'No screenshot was kept.'}</p>
        ) : (
          <>
            <img
              src={url}
              alt={label}
              onLoad={(e) => setNatural({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
              onError={() => setFailed(true)}
              className="absolute max-w-none"
              style={layout ? { width: layout.image.width, height: layout.image.height, left: layout.image.left, top: layout.image.top } : { width: '100%', height: '100%', objectFit: 'contain' }}
            />
            {layout && (
              <div
                aria-hidden="true"
                data-testid="crop-box"
                className={`pointer-events-none absolute rounded-sm border-[3px] ${outline}`}
                style={{ left: layout.box.left, top: layout.box.top, width: layout.box.width, height: layout.box.height }}
              />
            )}
          </>
        )}
      </div>
      <figcaption className="mt-1 text-xs font-medium text-slate-700">{label}</figcaption>
    </figure>
  );
}
