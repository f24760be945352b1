import { describe, expect, it } from 'vitest';
import { isTopFrameOfTab, parseExternal, senderOrigin } from './external';

const CODE = 'a'.repeat(43);

describe('messages from web pages', () => {
  it('takes our three messages, field by field, and drops anything else they carry', () => {
    expect(parseExternal({ type: 'stepwise/ping', token: 'x' })).toEqual({ type: 'stepwise/ping' });
    expect(parseExternal({ type: 'stepwise/connect', server_url: 'https://sw.test', code: CODE, extra: 1 })).toEqual({ type: 'stepwise/connect', server_url: 'https://sw.test', code: CODE });
    expect(parseExternal({ type: 'stepwise/start-guide', workflow_id: 12 })).toEqual({ type: 'stepwise/start-guide', workflow_id: 12 });
  });

  it('ignores what is not one of them or is malformed', () => {
    for (const bad of [
      null,
      'stepwise/ping',
      {},
      { type: 'auth/sign-in', serverUrl: 'https://sw.test', email: 'a', password: 'b' },
      { type: 'popup/state' },
      { type: 'stepwise/connect', server_url: 'https://sw.test' },
      { type: 'stepwise/connect', server_url: 'https://sw.test', code: 'short' },
      { type: 'stepwise/connect', server_url: 'https://sw.test', code: `${'a'.repeat(42)}"` },
      { type: 'stepwise/connect', server_url: 42, code: CODE },
      { type: 'stepwise/connect', server_url: `https://sw.test/${'x'.repeat(3000)}`, code: CODE },
      { type: 'stepwise/start-guide', workflow_id: '12' },
      { type: 'stepwise/start-guide', workflow_id: 0 },
      { type: 'stepwise/start-guide', workflow_id: 1.5 },
      { type: 'stepwise/start-guide', workflow_id: 2 ** 60 },
    ]) {
      expect(parseExternal(bad)).toBeNull();
    }
  });

  it('knows the sender by the origin the browser gives, else by its URL; only web pages count', () => {
    expect(senderOrigin({ origin: 'https://sw.test', url: 'https://evil.test/x' })).toBe('https://sw.test');
    expect(senderOrigin({ url: 'http://127.0.0.1:8000/extension?x=1' })).toBe('http://127.0.0.1:8000');
    expect(senderOrigin({ origin: 'chrome-extension://abcdef' })).toBeNull();
    expect(senderOrigin({ origin: 'null' })).toBeNull();
    expect(senderOrigin({ url: 'file:///tmp/x.html' })).toBeNull();
    expect(senderOrigin({})).toBeNull();
  });

  it('a tab top frame is a tab id and frame 0', () => {
    expect(isTopFrameOfTab({ tab: { id: 4 }, frameId: 0 })).toBe(true);
    expect(isTopFrameOfTab({ tab: { id: 4 }, frameId: 3 })).toBe(false);
    expect(isTopFrameOfTab({ frameId: 0 })).toBe(false);
  });
});
