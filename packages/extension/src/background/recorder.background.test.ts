import 'fake-indexeddb/auto';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FrameRequest } from '../shared/messages';
import type { CapturedStep } from '../shared/types';
import * as db from './db.background';
import { addStep } from './recorder.background';

// A step recorded in a child frame is placed by the service worker: where the frame is comes from
// the browser's frame tree and the parent frames' answers, its index path from the frame's own
// content script. The tab: the shell (0), an ad (3, index 0), the content frame (5, index 1) and,
// in it, the partner's widget (9, index 0).
const APP = 'https://app.test';
const PARTNER = 'https://partner.test';
const TAB = 7;
const frames = [
  { frameId: 0, parentFrameId: -1, url: `${APP}/shell` },
  { frameId: 3, parentFrameId: 0, url: 'https://ads.test/banner' },
  { frameId: 5, parentFrameId: 0, url: `${APP}/frame/timeoff?draft=1` },
  { frameId: 9, parentFrameId: 5, url: `${PARTNER}/widget` },
];
// What each parent frame's content script says of the iframe element holding window.frames[index].
const childSelectors: Record<number, string[]> = { 0: ['#ad', '#content-frame'], 5: ['pierce/iframe#partner'] };

const local: Record<string, unknown> = {};
const asked: { frameId: number | undefined; msg: FrameRequest }[] = [];

vi.stubGlobal('chrome', {
  storage: {
    local: {
      get: async (key: string | string[]) => Object.fromEntries((Array.isArray(key) ? key : [key]).map((k) => [k, local[k]])),
      set: async (items: Record<string, unknown>) => void Object.assign(local, items),
      remove: async (key: string) => void delete local[key],
    },
  },
  webNavigation: { getAllFrames: async () => frames },
  tabs: {
    sendMessage: async (_tab: number, msg: FrameRequest, opts?: { frameId?: number }) => {
      if (opts?.frameId === undefined) return undefined; // a push to every frame
      asked.push({ frameId: opts.frameId, msg });
      if (msg.type !== 'frame/child-selector') return undefined;
      return { selector: childSelectors[opts.frameId]?.[msg.index] ?? null };
    },
    // No screenshot in a unit test: the tab is not the active one.
    get: async () => ({ id: TAB, windowId: 1, active: false }),
  },
});

// Without a screenshot the recorder logs a line per step: not this test's business.
vi.spyOn(console, 'warn').mockImplementation(() => {});
afterAll(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

let seq = 0;
function step(): CapturedStep {
  seq += 1;
  return {
    client_id: `step-${seq}`,
    timestamp: new Date().toISOString(),
    action_type: 'click',
    // What the frame could read itself: nothing of a cross-origin parent.
    selectors: { primary: '#email', css: '#email', xpath: null, data_testid: null, stable_attrs: null, frame_path: null },
    element_meta: { tag_name: 'INPUT' },
    page_context: { url: `${PARTNER}/widget`, title: 'Widget', viewport: { width: 1, height: 1 }, page_state_hash: 'sha256:00' },
    action_data: null,
    dom_context: null,
    expected_outcome: null,
  } as CapturedStep;
}

async function recorded(frameId: number, indexPath: number[] | undefined, documentId = `doc-${seq + 1}`) {
  const s = step();
  const res = await addStep({ tabId: TAB, windowId: 1, frameId, documentId }, s, indexPath ? { indexPath } : undefined);
  expect(res.stored).toBe(true);
  return (await db.getStep(s.client_id))!.step.selectors;
}

beforeEach(async () => {
  await db.closeDb();
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(db.DB_NAME);
    req.onsuccess = () => resolve();
    req.onerror = () => resolve();
  });
  asked.length = 0;
  const rec: db.RecordingRecord = {
    id: 'rec-1', name: 'Time off', description: '', startingUrl: `${APP}/shell`, status: 'recording', tabIds: [TAB], createdAt: Date.now(),
    nextSeq: 1, stepCount: 0, lastStepAt: null, remoteShots: {}, workflowId: null, idempotencyKey: null, postBody: null, postStartedAt: null, attempt: 0, nextAttemptAt: null, lastError: null,
  };
  await db.putRecording(rec);
  local.activeRecordingId = rec.id;
});

describe('a step recorded in a frame', () => {
  it('is stored with its frame path, the frames’ addresses and its index in each ancestor’s frames', async () => {
    const sel = await recorded(9, [1, 0]);
    expect(sel.frame_path).toEqual(['#content-frame', 'pierce/iframe#partner']);
    expect(sel.frame_urls).toEqual([`${APP}/frame/timeoff`, `${PARTNER}/widget`]);
    expect(sel.frame_index).toEqual([1, 0]);
    // Each parent was asked about the child at that index.
    expect(asked.map((a) => [a.frameId, a.msg.type === 'frame/child-selector' ? a.msg.index : null])).toEqual([[0, 1], [5, 0]]);
  });

  it('has no frame index when a level has none (an iframe in a shadow root is not in window.frames)', async () => {
    const sel = await recorded(9, [1, -1]);
    expect(sel.frame_path).toEqual(['#content-frame', 'iframe']);
    expect(sel.frame_index).toBeNull();
  });

  it('has no frame index when the frame’s account does not fit the browser’s frame tree', async () => {
    expect((await recorded(9, [1])).frame_index).toBeNull();
    expect((await recorded(9, undefined)).frame_index).toBeNull();
    expect((await recorded(5, [1001])).frame_index).toBeNull();
  });

  it('follows frames the page adds before it in the same document', async () => {
    expect((await recorded(5, [1], 'doc-same')).frame_index).toEqual([1]);
    childSelectors[0] = ['#new', '#ad', '#content-frame'];
    try {
      const sel = await recorded(5, [2], 'doc-same');
      expect(sel.frame_index).toEqual([2]);
      expect(sel.frame_path).toEqual(['#content-frame']);
    } finally {
      childSelectors[0] = ['#ad', '#content-frame'];
    }
  });

  it('a step of the top document has none of it', async () => {
    const sel = await recorded(0, undefined);
    expect(sel.frame_path).toBeNull();
    expect(sel).not.toHaveProperty('frame_index');
    expect(asked).toEqual([]);
  });
});
