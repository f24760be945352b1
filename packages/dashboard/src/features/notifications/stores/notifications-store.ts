import { create } from 'zustand';
import type { Notification } from '../../../lib/schemas';

/** The bell's state: the unread count and the newest notifications, kept live by the event stream. */
export interface NotificationsState {
  /** null until the first count arrives. */
  unread: number | null;
  /** Newest first, at most RECENT_LIMIT. */
  recent: Notification[];
  recentLoaded: boolean;
}

export const RECENT_LIMIT = 10;

export const emptyNotifications: NotificationsState = { unread: null, recent: [], recentLoaded: false };

// State-in, state-out, so the store and its tests share one definition of each change.
export function received(s: NotificationsState, n: Notification): NotificationsState {
  if (s.recent.some((r) => r.id === n.id)) return s; // a replay after reconnecting
  const recent = [n, ...s.recent].slice(0, RECENT_LIMIT);
  return { ...s, recent, unread: n.read ? s.unread : (s.unread ?? 0) + 1 };
}

export function markedRead(s: NotificationsState, id: number, at: string): NotificationsState {
  const target = s.recent.find((r) => r.id === id);
  const wasUnread = target ? !target.read : true;
  return {
    ...s,
    recent: s.recent.map((r) => (r.id === id ? { ...r, read: true, read_at: r.read_at ?? at } : r)),
    unread: s.unread === null ? null : Math.max(0, s.unread - (wasUnread ? 1 : 0)),
  };
}

export function allRead(s: NotificationsState, at: string): NotificationsState {
  return { ...s, unread: 0, recent: s.recent.map((r) => (r.read ? r : { ...r, read: true, read_at: at })) };
}

interface NotificationsStore extends NotificationsState {
  setUnread: (n: number) => void;
  setRecent: (items: Notification[]) => void;
  receive: (n: Notification) => void;
  markRead: (id: number) => void;
  markAllRead: () => void;
  reset: () => void;
}

export const useNotificationsStore = create<NotificationsStore>()((set) => ({
  ...emptyNotifications,
  setUnread: (unread) => set({ unread }),
  setRecent: (items) => set({ recent: items.slice(0, RECENT_LIMIT), recentLoaded: true }),
  receive: (n) => set((s) => received(s, n)),
  markRead: (id) => set((s) => markedRead(s, id, new Date().toISOString())),
  markAllRead: () => set((s) => allRead(s, new Date().toISOString())),
  reset: () => set(emptyNotifications),
}));

export function isNotification(data: unknown): data is Notification {
  const d = data as Partial<Notification> | null;
  return typeof d === 'object' && d !== null && typeof d.id === 'number' && typeof d.title === 'string' && typeof d.read === 'boolean';
}
