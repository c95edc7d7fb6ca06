/** Helpers for pages driven by single-key shortcuts. */

/** Whether a key event's target is a text box: keys typed there belong to it, not to the page's shortcuts. */
export function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement
    && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}
