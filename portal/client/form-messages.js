// @ts-check
// Puts a refusal's messages where the person will look: next to the control or
// group whose `data-field` is the path the API named (or its nearest shown
// ancestor: field-paths.js), with aria-invalid and aria-describedby so a
// screen reader reads the message with the field, and in a summary above the
// form whose links move focus to the field. Messages that name no shown field
// go to the summary as plain text.
//
// While the person is still typing, a "required" message on an empty control
// they have not reached yet is held back (the whole form would start red);
// on submit everything is shown.

import { el, replace } from "./dom.js";
import { placeFor } from "./field-paths.js";

/** @typedef {import("./types.js").Refusal} Refusal */
/** @typedef {{ path: string, target: HTMLElement, messages: string[] }} Placed */

const CONTROLS = "input, select, textarea";

export class FormMessages {
  /**
   * @param {HTMLFormElement} form
   * @param {HTMLElement} summary the summary container (holds a heading and a list)
   * @param {HTMLUListElement} summaryList
   */
  constructor(form, summary, summaryList) {
    this.form = form;
    this.summary = summary;
    this.summaryList = summaryList;
    /** @type {Set<string>} ids of controls the person has changed */
    this.touched = new Set();
    /** @type {Placed[]} */
    this.placed = [];
  }

  /** @param {Event} event */
  noteInput(event) {
    const target = event.target;
    if (target instanceof HTMLElement && target.id) this.touched.add(target.id);
  }

  /** Forget what was touched (a new form). */
  reset() {
    this.touched.clear();
    this.clear();
  }

  /** Removes every message. */
  clear() {
    for (const target of this.form.querySelectorAll("[data-field]")) {
      if (target instanceof HTMLElement) this.mark(target, false);
    }
    this.placed = [];
    replace(this.summaryList);
    this.summary.hidden = true;
  }

  /**
   * Shows `refusal`; returns how many messages are shown.
   * @param {Refusal} refusal
   * @param {{ revealAll: boolean }} options
   */
  show(refusal, options) {
    this.clear();
    const targets = this.visibleTargets();
    /** @type {Map<string, string[]>} */
    const byPlace = new Map();
    const general = [...(refusal.general ?? [])];
    for (const [path, messages] of Object.entries(refusal.fields ?? {})) {
      const place = placeFor(path, (candidate) => targets.has(candidate));
      if (place === undefined) general.push(...messages);
      else byPlace.set(place, [...(byPlace.get(place) ?? []), ...messages]);
    }
    for (const [path, messages] of byPlace) {
      const target = /** @type {HTMLElement} */ (targets.get(path));
      if (!options.revealAll && this.isUntouchedEmpty(target)) continue;
      this.placed.push({ path, target, messages });
    }
    this.placed.sort((a, b) => (a.target.compareDocumentPosition(b.target) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    for (const entry of this.placed) this.mark(entry.target, true, entry.messages);
    this.fillSummary(general);
    return this.placed.reduce((count, entry) => count + entry.messages.length, general.length);
  }

  /** Moves focus to the first field with a message, else to the summary. Returns false when nothing is shown. */
  focusFirst() {
    const first = this.placed[0];
    if (first) {
      const control = focusableControl(first.target);
      if (control) {
        control.focus();
        return true;
      }
    }
    if (!this.summary.hidden) {
      this.summary.focus();
      return true;
    }
    return false;
  }

  /** @returns {Map<string, HTMLElement>} field path → its control or group, for those shown */
  visibleTargets() {
    /** @type {Map<string, HTMLElement>} */
    const targets = new Map();
    for (const node of this.form.querySelectorAll("[data-field]")) {
      if (node instanceof HTMLElement && node.dataset.field && !node.closest("[hidden]")) targets.set(node.dataset.field, node);
    }
    return targets;
  }

  /**
   * A required control (or group) left empty and not reached yet.
   * @param {HTMLElement} target
   */
  isUntouchedEmpty(target) {
    if (target.dataset.required !== "true") return false;
    const controls = target.matches(CONTROLS) ? [target] : [...target.querySelectorAll(CONTROLS)];
    return controls.every((control) => !this.touched.has(control.id) && isEmpty(/** @type {HTMLInputElement} */ (control)));
  }

  /**
   * Sets or clears the message of one target.
   * @param {HTMLElement} target
   * @param {boolean} invalid
   * @param {string[]} [messages]
   */
  mark(target, invalid, messages = []) {
    const slot = target.dataset.error ? document.getElementById(target.dataset.error) : null;
    if (slot) {
      replace(slot, ...messages.map((message) => el("span", { class: "message" }, message)));
      slot.hidden = !invalid;
    }
    const path = target.dataset.field ?? "";
    const isGroup = !target.matches(CONTROLS);
    if (isGroup) {
      // A group is read with its legend; the message describes it, and its own controls (radios) are marked invalid.
      if (invalid && slot) target.setAttribute("aria-describedby", slot.id);
      else target.removeAttribute("aria-describedby");
    }
    const controls = isGroup
      ? [...target.querySelectorAll("[data-control-of]")].filter((node) => node instanceof HTMLElement && node.dataset.controlOf === path)
      : [target];
    for (const control of controls) {
      if (!(control instanceof HTMLElement)) continue;
      const base = control.dataset.describedbyBase ?? "";
      const ids = invalid && slot ? [base, slot.id].filter((id) => id !== "").join(" ") : base;
      if (ids) control.setAttribute("aria-describedby", ids);
      else control.removeAttribute("aria-describedby");
      if (invalid) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
  }

  /** @param {string[]} general */
  fillSummary(general) {
    const items = [
      ...this.placed.flatMap((entry) => entry.messages.map((message) => this.summaryLink(entry.target, message))),
      ...general.map((message) => el("li", {}, message)),
    ];
    replace(this.summaryList, ...items);
    this.summary.hidden = items.length === 0;
  }

  /**
   * @param {HTMLElement} target
   * @param {string} message
   */
  summaryLink(target, message) {
    const control = focusableControl(target);
    const name = nameOf(target);
    return el(
      "li",
      {},
      el(
        "a",
        {
          href: `#${control?.id ?? target.id}`,
          onclick: (/** @type {MouseEvent} */ event) => {
            event.preventDefault();
            (control ?? target).focus();
          },
        },
        name ? `${name}: ` : "",
        message,
      ),
    );
  }
}

/**
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} control
 */
function isEmpty(control) {
  if (control instanceof HTMLInputElement && (control.type === "radio" || control.type === "checkbox")) return !control.checked;
  return control.value.trim() === "";
}

/**
 * The control to focus for a target: itself, or its checked radio, or its first enabled control.
 * @param {HTMLElement} target
 * @returns {HTMLElement | null}
 */
function focusableControl(target) {
  if (target.matches(CONTROLS)) return target;
  const controls = [...target.querySelectorAll(CONTROLS)].filter(
    (node) => node instanceof HTMLElement && !node.closest("[hidden]") && !(/** @type {HTMLInputElement} */ (node).disabled),
  );
  const checked = controls.find((node) => node instanceof HTMLInputElement && node.type === "radio" && node.checked);
  return /** @type {HTMLElement | null} */ (checked ?? controls[0] ?? null);
}

/**
 * The words naming a target: its label or its group's legend.
 * @param {HTMLElement} target
 */
function nameOf(target) {
  if (target instanceof HTMLFieldSetElement) return target.querySelector("legend")?.firstChild?.textContent?.trim() ?? "";
  const label = target.id ? target.ownerDocument.querySelector(`label[for="${target.id}"]`) : null;
  return label?.firstChild?.textContent?.trim() ?? "";
}
