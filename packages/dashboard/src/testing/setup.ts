import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { configureApiClient } from '../lib/api-client';
import { eventStream } from '../lib/event-stream';
import { useLiveStore } from '../stores/live-store';
import { useReviewStore } from '../features/review/stores/review-store';
import { useNotificationsStore } from '../features/notifications/stores/notifications-store';
import { FakeEventSource } from './fake-event-source';
import { useAuthStore } from '../stores/auth-store';
import { useToastStore } from '../stores/toast-store';

// jsdom has no ResizeObserver (recharts' ResponsiveContainer needs one); browsers all do.
if (!('ResizeObserver' in globalThis)) {
  (globalThis as { ResizeObserver?: unknown }).ResizeObserver = class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}

// Two shared cores and other suites running beside these: give async queries room.
configure({ asyncUtilTimeout: 5000 });

beforeEach(() => {
  window.localStorage.clear();
  useAuthStore.setState({ token: null, me: null, notice: null });
  useToastStore.setState({ toasts: [] });
  useReviewStore.getState().reset();
  useNotificationsStore.getState().reset();
  // Pages get a fake EventSource; tests drive it through FakeEventSource.last.
  FakeEventSource.instances = [];
  eventStream.disconnect();
  eventStream.configure({ factory: (url) => new FakeEventSource(url), baseUrl: '' });
  useLiveStore.setState({ status: 'idle' });
  configureApiClient({
    baseUrl: '',
    fetch: () => Promise.reject(new Error('No fake fetch installed for this test (use installFakeFetch).')),
  });
});

afterEach(() => {
  cleanup();
});
