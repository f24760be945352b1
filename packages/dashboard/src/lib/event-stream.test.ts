import { afterEach, describe, expect, it, vi } from 'vitest';
import { useLiveStore } from '../stores/live-store';
import { FakeEventSource } from '../testing/fake-event-source';
import { EventStream } from './event-stream';

function makeStream() {
  return new EventStream((url) => new FakeEventSource(url), 'http://api.test');
}

describe('event stream', () => {
  afterEach(() => vi.useRealTimers());

  it('opens /api/events with the token in the query, and says when it is live', () => {
    const stream = makeStream();
    stream.connect('jwt a/b');
    expect(FakeEventSource.last.url).toBe('http://api.test/api/events?access_token=jwt%20a%2Fb');
    expect(useLiveStore.getState().status).toBe('connecting');
    FakeEventSource.last.open();
    expect(useLiveStore.getState().status).toBe('open');
    stream.connect('jwt a/b');
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('delivers each event type parsed to its listeners, and stops after unsubscribe', () => {
    const stream = makeStream();
    const progress = vi.fn();
    const notification = vi.fn();
    const off = stream.on('progress', progress);
    stream.on('notification', notification);
    stream.connect('t');
    FakeEventSource.last.emit('progress', { workflow_id: 3, done: 1, total: 4, failed: 0 });
    FakeEventSource.last.emit('progress', 'not json');
    expect(progress).toHaveBeenCalledTimes(1);
    expect(progress).toHaveBeenCalledWith({ workflow_id: 3, done: 1, total: 4, failed: 0 });
    expect(notification).not.toHaveBeenCalled();
    off();
    FakeEventSource.last.emit('progress', { workflow_id: 3, done: 2, total: 4 });
    expect(progress).toHaveBeenCalledTimes(1);
  });

  it('a listener that throws does not stop the others', () => {
    const stream = makeStream();
    const good = vi.fn();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    stream.on('workflow_status', () => {
      throw new Error('boom');
    });
    stream.on('workflow_status', good);
    stream.dispatch('workflow_status', { workflow_id: 1, status: 'active' });
    expect(good).toHaveBeenCalledOnce();
    spy.mockRestore();
  });

  it('a dropped connection is left to the browser; a refused one is reopened later, more slowly each time', () => {
    vi.useFakeTimers();
    const stream = makeStream();
    stream.connect('t');
    FakeEventSource.last.fail(false);
    expect(useLiveStore.getState().status).toBe('connecting');
    expect(FakeEventSource.instances).toHaveLength(1);

    FakeEventSource.last.fail(true);
    expect(useLiveStore.getState().status).toBe('unavailable');
    vi.advanceTimersByTime(1999);
    expect(FakeEventSource.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.instances).toHaveLength(2);

    FakeEventSource.last.fail(true);
    vi.advanceTimersByTime(3999);
    expect(FakeEventSource.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.instances).toHaveLength(3);

    FakeEventSource.last.open();
    expect(useLiveStore.getState().status).toBe('open');
  });

  it('disconnect closes the source and cancels a pending reopen', () => {
    vi.useFakeTimers();
    const stream = makeStream();
    stream.connect('t');
    const first = FakeEventSource.last;
    first.fail(true);
    stream.disconnect();
    vi.advanceTimersByTime(120_000);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(useLiveStore.getState().status).toBe('idle');
    stream.connect('t2');
    const second = FakeEventSource.last;
    stream.disconnect();
    expect(second.closed).toBe(true);
  });

  it('without EventSource support the pages are told to poll', () => {
    const stream = new EventStream(null);
    stream.connect('t');
    expect(useLiveStore.getState().status).toBe('unavailable');
  });
});
