import { copyText } from '../lib/copy-text';
import { guideLink } from '../lib/extension-bridge';
import { toast } from '../stores/toast-store';
import { Button } from './ui/button';

/**
 * "Copy guide link": the share link of a published workflow. Opened in a browser with the
 * extension it starts the walkthrough; without, it says how to get the extension.
 */
export function CopyGuideLink({ workflowId, workflowName, size = 'md' }: { workflowId: number; workflowName: string; size?: 'sm' | 'md' }) {
  const onCopy = async () => {
    const link = guideLink(workflowId);
    if (await copyText(link, null)) toast.success('Guide link copied', `Anyone in your company with the Stepwise extension can open ${link} to follow “${workflowName}”.`);
    else toast.info('Copy the guide link', `Your browser did not allow copying. The link is ${link}`);
  };
  return (
    <Button variant="secondary" size={size} onClick={() => void onCopy()} aria-label={`Copy guide link of ${workflowName}`}>
      Copy guide link
    </Button>
  );
}
