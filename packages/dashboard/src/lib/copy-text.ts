/**
 * Puts `text` on the clipboard. Without the clipboard API (no permission, an insecure origin) it
 * selects `input`, which must show `text`, and copies the selection; false when neither worked.
 */
export async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall through to the selection-based copy (no clipboard permission, insecure origin).
  }
  if (!input) return false;
  input.focus();
  input.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
