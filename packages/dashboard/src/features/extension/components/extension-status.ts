import type { ExtensionPing } from '../../../lib/extension-bridge';

export type ExtensionState = { kind: 'checking' } | { kind: 'missing' } | { kind: 'installed'; ping: ExtensionPing };

/** The status line of the Get the extension page, for this server (`origin`). */
export function statusLine(state: ExtensionState, origin: string): { text: string; tone: 'info' | 'success' | 'warning' } {
  if (state.kind === 'checking') return { text: 'Looking for the extension in this browser…', tone: 'info' };
  if (state.kind === 'missing') return { text: 'The extension was not found in this browser. Install it with the steps below, then check again.', tone: 'warning' };
  const { ping } = state;
  if (ping.user) return { text: `Installed and signed in as ${ping.user.name} (${ping.user.email}).`, tone: 'success' };
  if (ping.signedIn && ping.serverUrl !== origin) return { text: `Installed, signed in to another server (${ping.serverUrl}). Connect it to use this one.`, tone: 'warning' };
  return { text: 'Installed, not signed in. Connect it below.', tone: 'warning' };
}
