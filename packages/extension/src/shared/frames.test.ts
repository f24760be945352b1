import { describe, expect, it } from 'vitest';
import { chainOf, frameAddress, frameCandidates, inOwnFrame, pickFrame, type FrameNode } from './frames';
import type { GuideStep } from './types';

const APP = 'http://127.0.0.1:4000';
const PARTNER = 'http://127.0.0.1:5000';

// The iframe-shell fixture's tab: the shell, its content frame (navigated to the time-off form),
// the partner's cross-origin widget, an ad, and a frame inside the widget.
const frames: FrameNode[] = [
  { frameId: 0, parentFrameId: -1, url: `${APP}/iframe-shell/` },
  { frameId: 5, parentFrameId: 0, url: `${APP}/iframe-shell/frame/timeoff?draft=1#top` },
  { frameId: 6, parentFrameId: 0, url: `${PARTNER}/iframe-shell/widget/benefits` },
  { frameId: 7, parentFrameId: 0, url: 'https://ads.test/banner' },
  { frameId: 9, parentFrameId: 6, url: `${PARTNER}/iframe-shell/widget/plan-details` },
];

describe('frames of a tab', () => {
  it('addresses are origin and path; opaque and invalid URLs have none', () => {
    expect(frameAddress(`${APP}/a/b?x=1#y`)).toBe(`${APP}/a/b`);
    expect(frameAddress('about:blank')).toBe('');
    expect(frameAddress('not a url')).toBe('');
  });

  it('chains run from the top frame’s child down to the frame', () => {
    expect(chainOf(frames, 0)).toEqual([]);
    expect(chainOf(frames, 9)!.map((f) => f.frameId)).toEqual([6, 9]);
    expect(chainOf(frames, 42)).toBeNull();
    // A frame whose parent is not in the tree (it went away) is not placed.
    expect(chainOf([...frames, { frameId: 11, parentFrameId: 10, url: `${APP}/x` }], 11)).toBeNull();
  });

  it('picks the only frame at the recorded addresses, whatever its query or fragment', () => {
    const c = frameCandidates(frames, 1, [`${APP}/iframe-shell/frame/timeoff`]);
    expect(c.exact.map((ch) => ch.at(-1)!.frameId)).toEqual([5]);
    expect(pickFrame(c, null, false)).toMatchObject({ how: 'address', chain: [{ frameId: 5 }] });
    const deep = frameCandidates(frames, 2, [`${PARTNER}/iframe-shell/widget/benefits`, `${PARTNER}/iframe-shell/widget/plan-details`]);
    expect(pickFrame(deep, null, false)?.chain.map((f) => f.frameId)).toEqual([6, 9]);
  });

  it('waits while the recorded address is not loaded yet; once settled, takes the selectors’ frame, else the only one of the origin', () => {
    // The content frame still shows the home screen (the click that loads the form just happened).
    const loading = frames.map((f) => (f.frameId === 5 ? { ...f, url: `${APP}/iframe-shell/frame/home` } : f));
    const c = frameCandidates(loading, 1, [`${APP}/iframe-shell/frame/timeoff`]);
    expect(pickFrame(c, null, false)).toBeNull();
    expect(pickFrame(c, 5, true)).toMatchObject({ how: 'selector', chain: [{ frameId: 5 }] });
    // The selectors lead nowhere (the redesign renamed the frame): the only frame of that origin.
    expect(pickFrame(c, null, true)).toMatchObject({ how: 'origin', chain: [{ frameId: 5 }] });
  });

  it('among several frames at the recorded address, the one the recorded selectors select', () => {
    const twins = [...frames, { frameId: 8, parentFrameId: 0, url: `${APP}/iframe-shell/frame/timeoff` }];
    const c = frameCandidates(twins, 1, [`${APP}/iframe-shell/frame/timeoff`]);
    expect(c.exact).toHaveLength(2);
    expect(pickFrame(c, 8, false)).toMatchObject({ how: 'selector', chain: [{ frameId: 8 }] });
    expect(pickFrame(c, null, false)).toMatchObject({ how: 'address', chain: [{ frameId: 5 }] });
  });

  it('never guesses among several frames of unknown address', () => {
    const c = frameCandidates(frames, 1, null);
    expect(c.depth).toHaveLength(3);
    expect(pickFrame(c, null, true)).toBeNull();
    expect(pickFrame(frameCandidates(frames, 3, null), null, true)).toBeNull();
  });
});

describe('a step located in its own frame', () => {
  const step = {
    id: 1,
    step_number: 2,
    action_type: 'select_change',
    selectors: { primary: '#leave_type', css: '#leave_type', xpath: null, data_testid: null, stable_attrs: null, frame_path: ['#content-frame'], frame_urls: [`${APP}/iframe-shell/frame/timeoff`], frame_index: [0] },
    element_meta: { tag_name: 'SELECT' },
    selector_variants: [{ selectors: { primary: 'select[name=leave_type]', frame_path: ['iframe[name=app-view]'] } }],
  } as unknown as GuideStep;

  it('loses the frame path (its selectors are relative to the frame’s document), every variant too', () => {
    const own = inOwnFrame(step);
    expect(own.selectors).not.toHaveProperty('frame_path');
    expect(own.selectors).not.toHaveProperty('frame_urls');
    expect(own.selectors).not.toHaveProperty('frame_index');
    expect(own.selectors.primary).toBe('#leave_type');
    expect(own.selector_variants![0]!.selectors).toEqual({ primary: 'select[name=leave_type]' });
    // The run's copy is untouched.
    expect(step.selectors.frame_path).toEqual(['#content-frame']);
  });

  it('a top-document step stays as it is', () => {
    const top = { ...step, selectors: { ...step.selectors, frame_path: null, frame_urls: null }, selector_variants: [] } as unknown as GuideStep;
    expect(inOwnFrame(top)).toBe(top);
  });
});
