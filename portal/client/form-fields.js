// @ts-check
// Builders for the form's labelled controls. Each control gets a <label for>,
// an optional hint it is described by, and an (empty, hidden) message element
// that form-messages.js fills with the API's refusal for its field path
// (`data-field`). Nothing here decides what is valid: the API server does.

import { el } from "./dom.js";

/**
 * @typedef {{ id: string, label: string, field?: string, hint?: string | Node, required?: boolean }} FieldOptions
 */

/**
 * Wires a control to its hint and message, and marks its field path.
 * @param {HTMLElement} control
 * @param {FieldOptions} options
 */
function describe(control, options) {
  control.id = options.id;
  if (options.field) {
    control.dataset.field = options.field;
    control.dataset.error = `${options.id}-error`;
    if (options.required) {
      control.dataset.required = "true";
      // Announced as "required" with the label; the page still submits (novalidate) so the API's own message shows.
      control.setAttribute("aria-required", "true");
    }
  }
  if (options.hint) {
    control.setAttribute("aria-describedby", `${options.id}-hint`);
    control.dataset.describedbyBase = `${options.id}-hint`;
  }
}

/**
 * A labelled control in its wrapper: label, hint, control, message.
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} control
 * @param {FieldOptions} options
 * @returns {HTMLDivElement}
 */
export function field(control, options) {
  describe(control, options);
  return el(
    "div",
    { class: "field" },
    el("div", { class: "label-row" }, el("label", { for: options.id }, options.label), options.required ? requiredMark() : null),
    options.hint ? el("p", { class: "hint", id: `${options.id}-hint` }, options.hint) : null,
    control,
    messageSlot(options.id),
  );
}

/** The visible "required" mark; hidden from screen readers, which hear aria-required or the radios' required instead. */
function requiredMark() {
  return el("span", { class: "required-mark", "aria-hidden": "true" }, " required");
}

/**
 * The empty message element for the control or group `id`.
 * @param {string} id
 */
export function messageSlot(id) {
  return el("p", { class: "field-error", id: `${id}-error`, hidden: true });
}

/**
 * @param {Record<string, string | boolean | undefined>} [attributes]
 */
export function textInput(attributes = {}) {
  return el("input", { type: "text", autocomplete: "off", spellcheck: "false", ...attributes });
}

/**
 * @param {Array<{ value: string, text: string }>} options
 * @param {Record<string, string | boolean | undefined>} [attributes]
 */
export function select(options, attributes = {}) {
  const node = el("select", attributes);
  setOptions(node, options);
  return node;
}

/**
 * Replaces a select's options, keeping its value when it is still offered.
 * @param {HTMLSelectElement} node
 * @param {Array<{ value: string, text: string }>} options
 */
export function setOptions(node, options) {
  const previous = node.value;
  node.replaceChildren(...options.map((option) => el("option", { value: option.value }, option.text)));
  if (options.some((option) => option.value === previous)) node.value = previous;
}

/**
 * A radio button with its label and hint.
 * @param {{ id: string, name: string, value: string, label: string, hint?: string, controlOf?: string, required?: boolean }} options
 */
export function radio(options) {
  const input = el("input", {
    type: "radio",
    id: options.id,
    name: options.name,
    value: options.value,
    required: options.required ?? false,
    "aria-describedby": options.hint ? `${options.id}-hint` : undefined,
  });
  if (options.hint) input.dataset.describedbyBase = `${options.id}-hint`;
  if (options.controlOf) input.dataset.controlOf = options.controlOf;
  return el(
    "div",
    { class: "choice" },
    input,
    el("label", { for: options.id }, options.label),
    options.hint ? el("p", { class: "hint", id: `${options.id}-hint` }, options.hint) : null,
  );
}

/**
 * A group of controls (radios, or a section of the form) that refusals can name as a whole.
 * @param {{ id: string, legend: string, field: string, required?: boolean, className?: string }} options
 * @param {...(Node | null)} children
 */
export function group(options, ...children) {
  const node = el(
    "fieldset",
    { id: options.id, class: options.className ?? "group" },
    el("legend", {}, options.legend, options.required ? requiredMark() : null),
    messageSlot(options.id),
    ...children,
  );
  node.dataset.field = options.field;
  node.dataset.error = `${options.id}-error`;
  if (options.required) node.dataset.required = "true";
  return node;
}
