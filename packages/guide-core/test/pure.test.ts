import { describe, expect, it } from 'vitest';
import { isRecordedLookalike } from '../src/verify.js';
import { recordedLevels } from '../src/relation.js';
import { greyOf, visualSimilarity, withVisual } from '../src/visual.js';
import type { ElementMeta, StepTarget } from '../src/types.js';
import { isCardNumber, isIban, isSensitiveValue, maskSensitiveText } from '../src/privacy.js';
import { normalizeText, textSimilarity } from '../src/text.js';
import { sha256Hex } from '../src/sha256.js';
import { urlShape } from '../src/page-state.js';
import { looksGenerated } from '../src/score.js';

describe('text', () => {
  it('normalises case, diacritics, punctuation and spaces', () => {
    expect(normalizeText('  Déjà   Vu — Été!  ')).toBe('deja vu ete');
    expect(normalizeText(null)).toBe('');
    expect(normalizeText('Save\n\tdraft')).toBe('save draft');
  });
  it('rates rewordings between unrelated texts and identical ones', () => {
    const same = textSimilarity('sign in', 'sign in');
    const longer = textSimilarity('export csv', 'export as csv');
    const other = textSimilarity('export pdf', 'delete row');
    expect(same).toBe(1);
    expect(longer).toBeGreaterThan(0.6);
    expect(longer).toBeLessThan(1);
    expect(other).toBeLessThan(0.3);
  });
  it('takes the leading words of a label for its name', () => {
    // Words dropped from the end: the same label; the same words after another one: another.
    expect(textSimilarity('shipping expand tracking', 'shipping')).toBeGreaterThan(textSimilarity('shipping expand tracking', 'tracking') + 0.1);
    expect(textSimilarity('sign in', 'sign in to your account')).toBeGreaterThan(textSimilarity('search', 'advanced search') + 0.1);
    // A longer form of the same word is neither.
    expect(textSimilarity('video', 'videos')).toBeGreaterThan(0.8);
  });
});

describe('privacy', () => {
  it('recognises card numbers by Luhn and IBANs by checksum', () => {
    expect(isCardNumber('4111 1111 1111 1111')).toBe(true);
    expect(isCardNumber('4111 1111 1111 1112')).toBe(false);
    expect(isCardNumber('12345')).toBe(false);
    expect(isIban('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(isIban('GB82 WEST 1234 5698 7654 33')).toBe(false);
    expect(isSensitiveValue('DE89370400440532013000')).toBe(true);
    expect(isSensitiveValue('INV-2026-0042')).toBe(false);
  });
  it('masks card numbers and IBANs inside free text, keeps other numbers', () => {
    const out = maskSensitiveText('Paid with 4111-1111-1111-1111 to DE89 3704 0044 0532 0130 00, invoice 2026-0042');
    expect(out).not.toContain('4111');
    expect(out).not.toContain('0532');
    expect(out).toContain('invoice 2026-0042');
  });
});

describe('sha256', () => {
  it('matches the standard test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('a'.repeat(1000))).toBe('41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
  });
});

describe('page state helpers', () => {
  it('generalises ids and numbers in URLs', () => {
    expect(urlShape('https://app.test/invoices/123/edit?x=1')).toBe(urlShape('https://app.test/invoices/98765/edit'));
    expect(urlShape('https://app.test/invoices/new')).not.toBe(urlShape('https://app.test/vendors/new'));
  });
  it('tells generated ids from meaningful ones', () => {
    for (const id of ['ember123', 'react-select-3-input', ':r1:', 'a8f3c9d2e1', 'inv-no-4821', 'item_12']) expect(looksGenerated(id)).toBe(true);
    for (const id of ['invoice_number', 'vendor_dropdown', 'feedback', 'save-draft']) expect(looksGenerated(id)).toBe(false);
  });
});

describe('look-alikes and neighbours (pure parts)', () => {
  const meta = (over: Partial<ElementMeta>): ElementMeta => ({
    tag_name: 'A', role: 'link', type: null, name: null, placeholder: null, inner_text: 'Projects', label_text: null, nearby_text: null,
    classes: [], bounding_box: { x: 0, y: 0, width: 0, height: 0 }, parent_tag: null, parent_classes: null, ...over,
  });

  it('a candidate where a recorded look-alike sat is that look-alike', () => {
    const recorded = meta({ context: ['nav Breadcrumb', 'main'], nearby_text: 'Home / Apollo', lookalikes: [{ context: ['nav Workspace'], nearby_text: 'My tasks Calendar' }] });
    expect(isRecordedLookalike(meta({ context: ['nav Workspace'], nearby_text: 'My tasks Calendar Reports' }), recorded)).toBe(true);
    expect(isRecordedLookalike(meta({ context: ['nav Breadcrumbs', 'main'], nearby_text: 'Home / Apollo' }), recorded)).toBe(false);
    // Same landmark for both: the closest neighbours decide.
    const inRows = meta({ context: ['table'], nearby_text: 'INV-1051 Globex Inc', lookalikes: [{ context: ['table'], nearby_text: 'INV-1043 Initech' }] });
    expect(isRecordedLookalike(meta({ context: ['table'], nearby_text: 'INV-1043 Initech' }), inRows)).toBe(true);
    expect(isRecordedLookalike(meta({ context: ['table'], nearby_text: 'INV-1051 Globex Inc' }), inRows)).toBe(false);
    expect(isRecordedLookalike(meta({ context: ['nav Workspace'] }), meta({ context: ['nav Breadcrumb'] }))).toBe(false);
  });

  it('the recorded distance between two steps comes from their absolute xpaths', () => {
    const t = (xpath: string): StepTarget => ({ selectors: { primary: null, css: null, xpath: null, data_testid: null, stable_attrs: null, xpath_alt: xpath }, element_meta: meta({}) });
    expect(recordedLevels(t('/html[1]/body[1]/form[1]/input[1]'), t('/html[1]/body[1]/form[1]/button[1]'))).toBe(1);
    expect(recordedLevels(t('/html[1]/body[1]/form[1]/div[1]/input[1]'), t('/html[1]/body[1]/form[1]/div[2]/button[1]'))).toBe(2);
    // Only the page in common: says nothing.
    expect(recordedLevels(t('/html[1]/body[1]/header[1]/nav[1]/ul[1]/li[1]/a[1]'), t('/html[1]/body[1]/main[1]/section[1]/div[1]/form[1]/button[1]'))).toBeNull();
  });
});

describe('visual signal', () => {
  const thumb = (f: (x: number, y: number) => number) => Float32Array.from({ length: 256 }, (_, i) => f(i % 16, Math.floor(i / 16)));
  const button = thumb((x, y) => (x > 2 && x < 13 && y > 5 && y < 10 ? 40 : 230));
  it('is 1 for the same crop, high for the same shape in another shade, low for another shape', () => {
    expect(visualSimilarity(button, button)).toBeCloseTo(1, 5);
    const darker = Float32Array.from(button, (v) => v * 0.7 + 20);
    expect(visualSimilarity(button, darker)).toBeGreaterThan(0.8);
    const stripes = thumb((x) => (x % 4 < 2 ? 40 : 230));
    expect(visualSimilarity(button, stripes)).toBeLessThan(0.3);
  });
  it('moves a score by at most the visual weight, and not at all without a signal', () => {
    expect(withVisual(70, 1)).toBe(78);
    expect(withVisual(70, 0)).toBe(62);
    expect(withVisual(70, 0.5)).toBe(70);
    expect(withVisual(70, null)).toBe(70);
    expect(withVisual(97, 1)).toBe(100);
  });
  it('greys RGBA by luma', () => {
    expect(Array.from(greyOf([255, 255, 255, 255, 0, 0, 0, 255]))).toEqual([255, 0]);
  });
});
