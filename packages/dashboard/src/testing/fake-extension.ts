// A stand-in for the Stepwise extension as a web page sees it: `chrome.runtime.sendMessage(id,
// message, callback)`. `answer` returns the extension's reply, or undefined for "no receiver"
// (Chrome then sets runtime.lastError, as for a browser without the extension).
export interface FakeExtension {
  messages: { id: string; message: unknown }[];
  remove: () => void;
}

export function installFakeExtension(answer: (message: { type?: string; [k: string]: unknown }) => unknown): FakeExtension {
  const messages: FakeExtension['messages'] = [];
  const runtime: { sendMessage: (id: string, message: unknown, cb: (r: unknown) => void) => void; lastError?: { message: string } } = {
    sendMessage(id, message, cb) {
      messages.push({ id, message });
      const reply = answer(message as { type?: string });
      setTimeout(() => {
        runtime.lastError = reply === undefined ? { message: 'Could not establish connection. Receiving end does not exist.' } : undefined;
        cb(reply);
        runtime.lastError = undefined;
      }, 0);
    },
  };
  (globalThis as { chrome?: unknown }).chrome = { runtime };
  return { messages, remove: () => delete (globalThis as { chrome?: unknown }).chrome };
}

export function removeFakeExtension(): void {
  delete (globalThis as { chrome?: unknown }).chrome;
}
