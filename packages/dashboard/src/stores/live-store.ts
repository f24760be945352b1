import { create } from 'zustand';

/** The server-sent-events connection: `open` means changes arrive live; otherwise pages poll. */
export type LiveStatus = 'idle' | 'connecting' | 'open' | 'unavailable';

interface LiveState {
  status: LiveStatus;
  setStatus: (status: LiveStatus) => void;
}

export const useLiveStore = create<LiveState>()((set) => ({
  status: 'idle',
  setStatus: (status) => set({ status }),
}));
