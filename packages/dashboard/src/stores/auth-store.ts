import { create } from 'zustand';
import type { Me, Role } from '@stepwise/api-types';

export const TOKEN_KEY = 'stepwise.token';
export const SESSION_EXPIRED_NOTICE = 'Your session has expired — please sign in again';

function readToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function writeToken(token: string | null): void {
  try {
    if (token === null) window.localStorage.removeItem(TOKEN_KEY);
    else window.localStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage may be unavailable (private mode); the session then lasts for this tab only.
  }
}

export interface Notice {
  text: string;
  tone: 'info' | 'warning';
}

export const SIGNED_OUT_NOTICE = 'You have signed out.';

interface AuthState {
  /** The JWT, mirrored in localStorage so a reload keeps the session. */
  token: string | null;
  /** The caller as GET /api/auth/me answered; null until loaded. */
  me: Me | null;
  /** A message for the sign-in page (why the person was sent there). */
  notice: Notice | null;
  /** The person signed out themselves: signing in again starts at home, not where they left. */
  signedOutByUser: boolean;
  signIn: (token: string) => void;
  setMe: (me: Me) => void;
  setCompanyName: (name: string) => void;
  setMyRole: (role: Role) => void;
  /** Forgets the token; `notice` is shown on the sign-in page. `byUser`: the person chose to. */
  signOut: (notice?: Notice, byUser?: boolean) => void;
  /** A token was refused (401): forget it and tell the person why they must sign in again. */
  expireSession: () => void;
  clearNotice: () => void;
}

export const useAuthStore = create<AuthState>()((set) => ({
  token: readToken(),
  me: null,
  notice: null,
  signedOutByUser: false,
  signIn: (token) => {
    writeToken(token);
    set({ token, me: null, notice: null, signedOutByUser: false });
  },
  setMe: (me) => set({ me }),
  setCompanyName: (name) => set((s) => (s.me ? { me: { ...s.me, company: { ...s.me.company, name } } } : {})),
  setMyRole: (role) => set((s) => (s.me ? { me: { ...s.me, role } } : {})),
  signOut: (notice, byUser = false) => {
    writeToken(null);
    set({ token: null, me: null, notice: notice ?? null, signedOutByUser: byUser });
  },
  expireSession: () => {
    writeToken(null);
    set({ token: null, me: null, notice: { text: SESSION_EXPIRED_NOTICE, tone: 'warning' }, signedOutByUser: false });
  },
  clearNotice: () => set({ notice: null }),
}));

export const selectIsAdmin = (s: AuthState): boolean => s.me?.role === 'admin';
