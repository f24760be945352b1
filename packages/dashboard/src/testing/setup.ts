import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { configureApiClient } from '../lib/api-client';
import { useAuthStore } from '../stores/auth-store';
import { useToastStore } from '../stores/toast-store';

// Two shared cores and other suites running beside these: give async queries room.
configure({ asyncUtilTimeout: 5000 });

beforeEach(() => {
  window.localStorage.clear();
  useAuthStore.setState({ token: null, me: null, notice: null });
  useToastStore.setState({ toasts: [] });
  configureApiClient({
    baseUrl: '',
    fetch: () => Promise.reject(new Error('No fake fetch installed for this test (use installFakeFetch).')),
  });
});

afterEach(() => {
  cleanup();
});
