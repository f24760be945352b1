import { useRef, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { toApiError } from '../../../lib/api-error';
import { toast } from '../../../stores/toast-store';
import { importRecording, parseRecording } from '../api/workflows-api';

const MAX_BYTES = 5 * 1024 * 1024;

/** Turns a Chrome DevTools Recorder recording (JSON) into a new workflow. */
export function ImportButton({ onImported }: { onImported: (workflowId: number) => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      if (file.size > MAX_BYTES) throw new Error('The file is larger than 5 MB.');
      const recording = parseRecording(await file.text());
      const { workflowId } = await importRecording(recording);
      toast.success('Recording imported', `“${recording.title}” is being labeled and will be ready for review shortly.`);
      onImported(workflowId);
    } catch (e) {
      const error = toApiError(e);
      const field = error.fieldErrors[0];
      toast.error({
        title: 'The recording could not be imported',
        message: field ? `${field.pointer || 'recording'}: ${field.message}` : error.userMessage,
        ...(error.requestId ? { requestId: error.requestId } : {}),
      });
    } finally {
      setBusy(false);
      if (inputRef.current) inputRef.current.value = '';
    }
  };

  return (
    <>
      <input
        ref={inputRef}
        type="file"
        accept="application/json,.json"
        className="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="import-file"
        onChange={(e) => void onFile(e.target.files?.[0])}
      />
      <Button variant="secondary" busy={busy} onClick={() => inputRef.current?.click()}>
        Import recording
      </Button>
    </>
  );
}
