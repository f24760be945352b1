import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeExtension, removeFakeExtension } from '../testing/fake-extension';
import { EXTENSION_ID, connectExtension, guideLink, pingExtension, readConnect, readPing, readStartGuide, startGuideInExtension } from './extension-bridge';

afterEach(() => {
  removeFakeExtension();
  vi.useRealTimers();
});

describe('extension bridge', () => {
  it('without chrome.runtime (no extension lets this page talk to it) there is no extension', async () => {
    expect(await pingExtension()).toBeNull();
    expect(await connectExtension('http://localhost:3000', 'c'.repeat(43))).toMatchObject({ ok: false, error: 'no_extension' });
    expect(await startGuideInExtension(4)).toMatchObject({ ok: false, error: 'no_extension' });
  });

  it('no receiver (another extension is there, not ours) is no extension', async () => {
    installFakeExtension(() => undefined);
    expect(await pingExtension()).toBeNull();
  });

  it('an extension that never answers is given up on', async () => {
    vi.useFakeTimers();
    (globalThis as { chrome?: unknown }).chrome = { runtime: { sendMessage: () => {} } };
    const ping = pingExtension(3000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(await ping).toBeNull();
  });

  it('messages our fixed id with the typed messages', async () => {
    const ext = installFakeExtension((m) =>
      m.type === 'stepwise/ping'
        ? { installed: true, version: '0.1.0', signed_in: true, server_url: 'http://localhost:3000', user: { name: 'Bo', email: 'bo@x.test' } }
        : m.type === 'stepwise/connect'
          ? { ok: true, user: { name: 'Bo', email: 'bo@x.test' } }
          : { ok: true, workflow: { id: 4, name: 'Pay' }, needs_access: false },
    );
    expect(await pingExtension()).toEqual({ version: '0.1.0', signedIn: true, serverUrl: 'http://localhost:3000', user: { name: 'Bo', email: 'bo@x.test' } });
    expect(await connectExtension('http://localhost:3000', 'code-1')).toEqual({ ok: true, user: { name: 'Bo', email: 'bo@x.test' } });
    expect(await startGuideInExtension(4)).toEqual({ ok: true, workflow: { id: 4, name: 'Pay' }, needsAccess: false });
    expect(ext.messages).toEqual([
      { id: EXTENSION_ID, message: { type: 'stepwise/ping' } },
      { id: EXTENSION_ID, message: { type: 'stepwise/connect', server_url: 'http://localhost:3000', code: 'code-1' } },
      { id: EXTENSION_ID, message: { type: 'stepwise/start-guide', workflow_id: 4 } },
    ]);
  });

  it('reads answers field by field', () => {
    expect(readPing({ installed: 'yes' })).toBeNull();
    expect(readPing({ installed: true, user: { name: 3 } })).toEqual({ version: '', signedIn: false, serverUrl: '', user: null });
    expect(readConnect({ ok: false, error: 'invalid_code', message: 'expired' })).toEqual({ ok: false, error: 'invalid_code', message: 'expired' });
    expect(readConnect({ ok: false, error: '<script>', message: 7 })).toMatchObject({ ok: false, error: 'failed' });
    expect(readConnect({ ok: true })).toMatchObject({ ok: false, error: 'failed' });
    expect(readStartGuide({ ok: false, error: 'not_connected', message: 'Connect it' })).toMatchObject({ error: 'not_connected' });
    expect(readStartGuide({ ok: true, workflow: { id: '4' } })).toMatchObject({ ok: false });
  });

  it('a share link carries only the workflow id', () => {
    expect(guideLink(42, 'https://stepwise.acme.test')).toBe('https://stepwise.acme.test/guide/42');
  });
});
