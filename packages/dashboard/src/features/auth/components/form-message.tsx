import { Alert } from '../../../components/ui/alert';
import type { FormErrors } from '../../../lib/form-errors';

export function FormMessage({ errors }: { errors: FormErrors }) {
  if (!errors.form) return null;
  return (
    <Alert tone="error">
      <p>{errors.form}</p>
      {errors.requestId && <p className="mt-1 font-mono text-xs">Request ID: {errors.requestId}</p>}
    </Alert>
  );
}
