// One server-sent-events connection per signed-in tab (`GET /api/events`). EventSource cannot send
// headers, so the token goes as `?access_token=`. The browser reconnects by itself after a dropped
// connection (sending Last-Event-ID); when the server refuses the stream outright (the source goes
// CLOSED: a 401, a 404 from a server without the endpoint, a proxy error) we reopen it with a
// growing delay, and say so in the live store so pages can fall back to polling.
import { useEffect, useRef } from 'react';
import { useLiveStore } from '../stores/live-store';

export const EVENT_TYPES = ['progress', 'workflow_status', 'notification'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What the pages use of an EventSource (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

const CLOSED = 2;
const MAX_DELAY_MS = 60_000;

type Listener = (data: unknown) => void;

export class EventStream {
  private source: EventSourceLike | null = null;
  private token: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private factory: EventSourceFactory | null,
    private baseUrl = '',
  ) {}

  configure(patch: { factory?: EventSourceFactory | null; baseUrl?: string }): void {
    if (patch.factory !== undefined) this.factory = patch.factory;
    if (patch.baseUrl !== undefined) this.baseUrl = patch.baseUrl;
  }

  /** Opens the stream for `token` (a no-op when it is already open for it). */
  connect(token: string): void {
    if (this.token === token && this.source) return;
    this.disconnect();
    this.token = token;
    this.open();
  }

  disconnect(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
    this.token = null;
    this.failures = 0;
    useLiveStore.getState().setStatus('idle');
  }

  /** Calls `listener` with each event's parsed data; returns the unsubscribe. */
  on(type: EventType, listener: Listener): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Delivers an event as if it came from the server (the stream's own handler, and tests). */
  dispatch(type: string, data: unknown): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) {
      try {
        listener(data);
      } catch (e) {
        console.error(`event listener for "${type}" failed`, e);
      }
    }
  }

  private open(): void {
    if (!this.factory || !this.token) {
      useLiveStore.getState().setStatus('unavailable');
      return;
    }
    useLiveStore.getState().setStatus('connecting');
    const source = this.factory(`${this.baseUrl}/api/events?access_token=${encodeURIComponent(this.token)}`);
    this.source = source;
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (ev) => {
        let data: unknown;
        try {
          data = JSON.parse(ev.data as string);
        } catch {
          return;
        }
        this.dispatch(type, data);
      });
    }
    source.onopen = () => {
      if (this.source !== source) return;
      this.failures = 0;
      useLiveStore.getState().setStatus('open');
    };
    source.onerror = () => {
      if (this.source !== source) return;
      if (source.readyState !== CLOSED) {
        useLiveStore.getState().setStatus('connecting');
        return;
      }
      // Refused: the browser will not retry, so we do, more slowly each time.
      useLiveStore.getState().setStatus('unavailable');
      source.close();
      this.source = null;
      const delay = Math.min(MAX_DELAY_MS, 2000 * 2 ** this.failures);
      this.failures += 1;
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.token) this.open();
      }, delay);
    };
  }
}

export const eventStream = new EventStream(typeof EventSource === 'undefined' ? null : (url) => new EventSource(url));

/** Runs `handler` for each `type` event while the component is mounted. */
export function useLiveEvent(type: EventType, handler: (data: unknown) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => eventStream.on(type, (data) => ref.current(data)), [type]);
}
