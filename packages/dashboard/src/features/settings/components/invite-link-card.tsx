import { useEffect, useRef, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { copyText } from '../../../lib/copy-text';
import { toast } from '../../../stores/toast-store';
import { rotateInviteToken } from '../api/settings-api';

export function inviteLink(token: string, origin = window.location.origin): string {
  return `${origin}/join/${encodeURIComponent(token)}`;
}

export function InviteLinkCard({ token, onRotated, className }: { token: string; onRotated: (token: string) => void; className?: string }) {
  const link = inviteLink(token);
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [rotating, setRotating] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2500);
    return () => clearTimeout(t);
  }, [copied]);

  const onCopy = async () => {
    if (await copyText(link, inputRef.current)) setCopied(true);
    else {
      inputRef.current?.select();
      toast.info('Copy the selected link', 'Your browser did not allow copying; press Ctrl+C to copy it.');
    }
  };

  const onRotate = async () => {
    setRotating(true);
    try {
      const next = await rotateInviteToken();
      onRotated(next);
      setConfirming(false);
      setCopied(false);
      toast.success('New invite link created', 'The previous link no longer works.');
    } catch {
      // The interceptor has shown the error; keep the dialog open to try again.
    } finally {
      setRotating(false);
    }
  };

  return (
    <Card
      className={className}
      title="Invite link"
      headingId="invite-heading"
      description="Anyone with this link can join your company as a member. Share it only with your team."
    >
      <label htmlFor="invite-link" className="block text-sm font-medium text-slate-800">
        Link to share
      </label>
      <input
        ref={inputRef}
        id="invite-link"
        readOnly
        value={link}
        onFocus={(e) => e.currentTarget.select()}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-800 focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-200"
      />
      <div className="mt-3 flex items-center gap-3">
        <Button variant="secondary" onClick={onCopy} className="w-32">
          {copied ? 'Copied ✓' : 'Copy link'}
        </Button>
        <Button variant="secondary" onClick={() => setConfirming(true)}>
          Rotate link…
        </Button>
        <span role="status" className="text-sm text-emerald-700">
          {copied ? 'The link is on your clipboard.' : ''}
        </span>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Replace the invite link?"
        confirmLabel="Replace link"
        busy={rotating}
        onConfirm={onRotate}
        onCancel={() => setConfirming(false)}
      >
        <p>The current link stops working at once; anyone who has it but has not joined yet will need the new one.</p>
        <p className="mt-2">People who already joined are not affected.</p>
      </ConfirmDialog>
    </Card>
  );
}
