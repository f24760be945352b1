// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canFill, fieldValue, fillField, holdsValue, optionFor } from './fill.content';

afterEach(() => {
  document.body.innerHTML = '';
});

/**
 * A field as React keeps it: `value` overridden on the element itself, recording what the app
 * set, and an `input` listener that reports a change only when the DOM value differs from it.
 */
function reactLike(input: HTMLInputElement): string[] {
  const changes: string[] = [];
  const proto = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!;
  let tracked = input.value;
  Object.defineProperty(input, 'value', {
    configurable: true,
    get() {
      return proto.get!.call(this);
    },
    set(v: string) {
      tracked = String(v);
      proto.set!.call(this, v);
    },
  });
  input.addEventListener('input', () => {
    const now = proto.get!.call(input) as string;
    if (now !== tracked) {
      tracked = now;
      changes.push(now);
    }
  });
  return changes;
}

describe('Fill it for me', () => {
  it('sets an input through the native setter: a React-style app sees the change', () => {
    document.body.innerHTML = '<input id="q" type="number" value="1">';
    const input = document.querySelector<HTMLInputElement>('#q')!;
    const changes = reactLike(input);
    const onChange = vi.fn();
    input.addEventListener('change', onChange);
    expect(fillField(input, '3')).toBe(true);
    expect(changes).toEqual(['3']);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(document.activeElement).toBe(input);
    expect(holdsValue(input, '3')).toBe(true);
  });

  it('chooses a select option by its text (what is recorded), else by its value', () => {
    document.body.innerHTML = '<select id="c"><option value="">Choose…</option><option value="eng">Engineering</option><option value="ops">Operations</option></select>';
    const select = document.querySelector<HTMLSelectElement>('#c')!;
    const events: string[] = [];
    select.addEventListener('input', () => events.push('input'));
    select.addEventListener('change', () => events.push(`change:${select.value}`));
    expect(optionFor(select, 'ops')?.textContent).toBe('Operations');
    expect(optionFor(select, 'engineering')?.value).toBe('eng');
    expect(optionFor(select, 'Finance')).toBeNull();
    expect(fillField(select, 'Engineering')).toBe(true);
    expect(events).toEqual(['input', 'change:eng']);
    expect(fieldValue(select)).toBe('Engineering');
    expect(fillField(select, 'Finance')).toBe(false);
  });

  it('ticks a checkbox by clicking it, sets a textarea and a contenteditable', () => {
    document.body.innerHTML = '<input id="x" type="checkbox"><textarea id="t"></textarea><div id="e" contenteditable="true"></div>';
    const box = document.querySelector<HTMLInputElement>('#x')!;
    const clicked = vi.fn();
    box.addEventListener('click', clicked);
    expect(fillField(box, 'true')).toBe(true);
    expect(fillField(box, 'true')).toBe(true);
    expect(clicked).toHaveBeenCalledTimes(1);
    expect(fillField(document.querySelector('#t')!, 'Two lines\nof text')).toBe(true);
    const editable = document.querySelector<HTMLElement>('#e')!;
    // jsdom does not implement isContentEditable.
    Object.defineProperty(editable, 'isContentEditable', { value: true });
    expect(fillField(editable, 'Hello')).toBe(true);
    expect(editable.textContent).toBe('Hello');
  });

  it('leaves alone what no one types into', () => {
    document.body.innerHTML = '<input id="f" type="file"><button id="b">Go</button>';
    expect(canFill(document.querySelector('#f')!)).toBe(false);
    expect(canFill(document.querySelector('#b')!)).toBe(false);
    expect(fillField(document.querySelector('#b')!, 'x')).toBe(false);
  });
});
