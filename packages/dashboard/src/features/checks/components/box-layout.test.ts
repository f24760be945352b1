import { describe, expect, it } from 'vitest';
import { boxOnImage } from './box-layout';

const vp = { width: 1280, height: 800 };

describe('a check step’s box on its screenshot', () => {
  it.each([
    // [what, box, viewport, rendered, natural, expected]
    ['drawn at the viewport’s size: unchanged', { x: 10, y: 20, width: 80, height: 30 }, vp, { width: 1280, height: 800 }, null, { left: 10, top: 20, width: 80, height: 30 }],
    ['drawn at half size: halved', { x: 10, y: 20, width: 80, height: 30 }, vp, { width: 640, height: 400 }, null, { left: 5, top: 10, width: 40, height: 15 }],
    ['drawn larger: scaled up', { x: 100, y: 100, width: 200, height: 50 }, { width: 1000, height: 500 }, { width: 1500, height: 750 }, null, { left: 150, top: 150, width: 300, height: 75 }],
    ['a 2× screenshot still scales by the viewport, not the image', { x: 100, y: 50, width: 200, height: 40 }, { width: 1000, height: 500 }, { width: 500, height: 250 }, { width: 2000, height: 1000 }, { left: 50, top: 25, width: 100, height: 20 }],
    ['uneven scale per axis (image squeezed)', { x: 100, y: 100, width: 100, height: 100 }, { width: 1000, height: 1000 }, { width: 500, height: 250 }, null, { left: 50, top: 25, width: 50, height: 25 }],
    ['no viewport: the natural size stands in', { x: 0, y: 0, width: 50, height: 25 }, { width: null, height: null }, { width: 250, height: 125 }, { width: 500, height: 250 }, { left: 0, top: 0, width: 25, height: 12.5 }],
    ['fractions rounded to 1/100 px', { x: 1, y: 1, width: 1, height: 1 }, { width: 3, height: 3 }, { width: 1, height: 1 }, null, { left: 0.33, top: 0.33, width: 0.33, height: 0.33 }],
    ['clipped at the left and bottom edges', { x: -50, y: 750, width: 100, height: 100 }, vp, { width: 640, height: 400 }, null, { left: 0, top: 375, width: 25, height: 25 }],
  ] as const)('%s', (_what, box, viewport, rendered, natural, expected) => {
    expect(boxOnImage(box, viewport, rendered, natural)).toEqual(expected);
  });

  it.each([
    ['no box', null, vp, { width: 640, height: 400 }, null],
    ['a box outside the picture', { x: 1300, y: 10, width: 50, height: 50 }, vp, { width: 640, height: 400 }, null],
    ['a box without area', { x: 10, y: 10, width: 0, height: 50 }, vp, { width: 640, height: 400 }, null],
    ['an image not laid out yet', { x: 10, y: 10, width: 10, height: 10 }, vp, { width: 0, height: 0 }, null],
    ['neither viewport nor natural size', { x: 10, y: 10, width: 10, height: 10 }, null, { width: 640, height: 400 }, null],
    ['a zero viewport without natural size', { x: 10, y: 10, width: 10, height: 10 }, { width: 0, height: 0 }, { width: 640, height: 400 }, null],
  ] as const)('nothing for %s', (_what, box, viewport, rendered, natural) => {
    expect(boxOnImage(box, viewport, rendered, natural)).toBeNull();
  });
});
