import { create } from 'zustand';

export type ToastKind = 'error' | 'success' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message?: string;
  /** The failing request's X-Request-Id, shown so people can quote it to support. */
  requestId?: string;
}

export type ToastInput = Omit<Toast, 'id'>;

interface ToastState {
  toasts: Toast[];
  push: (toast: ToastInput) => number;
  dismiss: (id: number) => void;
  clear: () => void;
}

/** How long a toast stays, in ms; errors stay longer so a request id can be copied. */
export const TOAST_TIMEOUT_MS: Record<ToastKind, number> = { success: 4000, info: 6000, error: 12000 };
const MAX_TOASTS = 4;

let nextId = 1;

export const useToastStore = create<ToastState>()((set, get) => ({
  toasts: [],
  push: (input) => {
    const id = nextId++;
    const toast: Toast = { id, ...input };
    set((s) => ({ toasts: [...s.toasts, toast].slice(-MAX_TOASTS) }));
    setTimeout(() => get().dismiss(id), TOAST_TIMEOUT_MS[input.kind]);
    return id;
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  clear: () => set({ toasts: [] }),
}));

/** Shorthand for code outside React. */
export const toast = {
  success: (title: string, message?: string) =>
    useToastStore.getState().push(message === undefined ? { kind: 'success', title } : { kind: 'success', title, message }),
  info: (title: string, message?: string) =>
    useToastStore.getState().push(message === undefined ? { kind: 'info', title } : { kind: 'info', title, message }),
  error: (input: Omit<ToastInput, 'kind'>) => useToastStore.getState().push({ kind: 'error', ...input }),
};
