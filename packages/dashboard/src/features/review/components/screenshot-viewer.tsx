import { useState } from 'react';
import { Modal } from '../../../components/ui/modal';
import type { Step } from '../../../lib/schemas';
import { targetBox } from './target-box';

/** The step's full screenshot with its target outlined. */
export function ScreenshotViewer({ step, title, onClose }: { step: Step; title: string; onClose: () => void }) {
  const [failed, setFailed] = useState(false);
  const shot = step.screenshot;
  const box = targetBox(step.element_meta.bounding_box, step.page_context.viewport, shot);
  return (
    <Modal open title={title} onClose={onClose} width="max-w-6xl">
      {!shot || failed ? (
        <p className="py-12 text-center text-sm text-slate-600">
          {shot ? 'The screenshot could not be loaded (its link may have expired — reload the page).' : 'This step has no screenshot.'}
        </p>
      ) : (
        <figure>
          <div className="relative mx-auto w-fit overflow-hidden">
            <img src={shot.url} alt={`Screenshot of step ${step.step_number}`} className="block max-h-[75vh] w-auto max-w-full" onError={() => setFailed(true)} />
            {box && (
              <div
                data-testid="target-box"
                aria-hidden="true"
                className="pointer-events-none absolute rounded-sm border-[3px] border-red-500 shadow-[0_0_0_9999px_rgba(15,23,42,0.25)]"
                style={{ left: `${box.left}%`, top: `${box.top}%`, width: `${box.width}%`, height: `${box.height}%` }}
              />
            )}
          </div>
          <figcaption className="mt-3 text-sm text-slate-600">
            {box ? 'The red box marks the element this step acts on.' : 'The recording has no position for this step’s element.'}{' '}
            <span className="break-all">{step.page_context.url}</span>
          </figcaption>
        </figure>
      )}
    </Modal>
  );
}
