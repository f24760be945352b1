// "Fill it for me": puts a fixed step's recorded value into its field the way a person's typing
// does, so the app's own code sees it. The value is set through the prototype's native setter
// (apps built on React and the like track `value` on the element itself and ignore a change they
// did not see as an event), then `input` and `change` are dispatched. A select takes the option
// whose text (what the recorder keeps) or value is the recorded one; a checkbox or radio is
// clicked when its state differs; a contenteditable element gets the text.

/** The field's current value as the walkthrough compares it with the recorded one. */
export function fieldValue(el: Element): string {
  if (el.localName === 'select') {
    const s = el as HTMLSelectElement;
    return s.selectedOptions[0]?.textContent?.trim() ?? s.value;
  }
  if (el.localName === 'input') {
    const i = el as HTMLInputElement;
    return i.type === 'checkbox' || i.type === 'radio' ? String(i.checked) : i.value;
  }
  if (el.localName === 'textarea') return (el as HTMLTextAreaElement).value;
  return (el as HTMLElement).isContentEditable ? (el.textContent ?? '') : '';
}

/** Whether the field holds `value` (a select: the chosen option's text or value). */
export function holdsValue(el: Element, value: string): boolean {
  if (el.localName === 'select') {
    const s = el as HTMLSelectElement;
    const opt = s.selectedOptions[0];
    return !!opt && (opt.textContent?.trim() === value.trim() || opt.value === value);
  }
  return fieldValue(el) === value;
}

/** The option a recorded select value names: by text, then by value, then by text in any case. */
export function optionFor(select: HTMLSelectElement, value: string): HTMLOptionElement | null {
  const options = Array.from(select.options);
  const want = value.trim();
  return (
    options.find((o) => (o.textContent ?? '').trim() === want) ??
    options.find((o) => o.value === value) ??
    options.find((o) => (o.textContent ?? '').trim().toLowerCase() === want.toLowerCase()) ??
    null
  );
}

/** Whether "Fill it for me" can set this element at all. */
export function canFill(el: Element): boolean {
  if (el.localName === 'select' || el.localName === 'textarea') return true;
  if (el.localName === 'input') return !['file', 'hidden', 'button', 'submit', 'reset', 'image'].includes((el as HTMLInputElement).type);
  return (el as HTMLElement).isContentEditable === true;
}

function nativeSetter(el: Element): ((v: string) => void) | null {
  const proto = el.localName === 'select' ? HTMLSelectElement.prototype : el.localName === 'textarea' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const set = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  return set ? (v: string) => set.call(el, v) : null;
}

const fire = (el: Element, type: 'input' | 'change') =>
  el.dispatchEvent(type === 'input' ? new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertReplacementText' }) : new Event('change', { bubbles: true }));

/**
 * Sets `value` into `el` as a person's input would: focus, the native setter, `input` and
 * `change`. Returns whether the field holds the value afterwards.
 */
export function fillField(el: Element, value: string): boolean {
  if (!canFill(el)) return false;
  const h = el as HTMLElement;
  h.focus({ preventScroll: true });
  if (el.localName === 'select') {
    const opt = optionFor(el as HTMLSelectElement, value);
    if (!opt) return false;
    nativeSetter(el)?.(opt.value);
    fire(el, 'input');
    fire(el, 'change');
    return holdsValue(el, value);
  }
  if (el.localName === 'input' && ['checkbox', 'radio'].includes((el as HTMLInputElement).type)) {
    // A click is what the app listens to; it fires input and change itself.
    if (String((el as HTMLInputElement).checked) !== value) h.click();
    return holdsValue(el, value);
  }
  if (el.localName === 'input' || el.localName === 'textarea') {
    nativeSetter(el)?.(value);
    fire(el, 'input');
    fire(el, 'change');
    return holdsValue(el, value);
  }
  h.textContent = value;
  fire(el, 'input');
  return holdsValue(el, value);
}
