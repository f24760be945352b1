// recorderSelectors on the cases the server's export is tested on too: the extension and the
// DevTools export write the same selector lists.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { recorderSelectors } from '../src/recorder.js';
import type { Selectors, StepTarget } from '../src/types.js';

interface Case {
  name: string;
  selectors: Partial<Selectors>;
  expected: string[][];
}

const path = fileURLToPath(new URL('../../server/src/services/testdata/recorder_selectors.json', import.meta.url));
const { cases } = JSON.parse(readFileSync(path, 'utf8')) as { cases: Case[] };

describe('recorderSelectors, shared cases with the server export', () => {
  it('has the cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));
  for (const c of cases) {
    it(c.name, () => {
      const target = { selectors: c.selectors as Selectors, element_meta: { tag_name: 'BUTTON' } } as StepTarget;
      expect(recorderSelectors(target)).toEqual(c.expected);
    });
  }
});
