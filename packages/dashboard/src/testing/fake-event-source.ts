import type { EventSourceLike } from '../lib/event-stream';

/** An EventSource the test drives: open it, send events, fail it. */
export class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  closed = false;
  private readonly listeners = new Map<string, Array<(ev: MessageEvent) => void>>();

  constructor(public readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  static get last(): FakeEventSource {
    const last = FakeEventSource.instances[FakeEventSource.instances.length - 1];
    if (!last) throw new Error('No EventSource was opened');
    return last;
  }

  addEventListener(type: string, listener: (ev: MessageEvent) => void): void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener);
    this.listeners.set(type, list);
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  emit(type: string, data: unknown, id = '1'): void {
    const ev = new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data), lastEventId: id });
    for (const l of this.listeners.get(type) ?? []) l(ev);
  }

  /** A dropped connection the browser retries (`refused` = the server refused it: CLOSED). */
  fail(refused: boolean): void {
    this.readyState = refused ? 2 : 0;
    this.onerror?.(new Event('error'));
  }
}
