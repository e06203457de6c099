// @ts-check
// The page's only DOM builder. Every string becomes text (textContent or a
// Text node), never markup: route names, domains and condition messages come
// from whoever can write a DomainRoute or its status, so nothing they say may
// be parsed as HTML. Inline styles are refused too: the CSP blocks them
// (style-src 'self'), so a `style` attribute would be a silent no-op and a
// console error; looks come from classes in app.css.

/** @typedef {string | number | boolean | null | undefined | ((event: any) => void)} AttrValue */
/** @typedef {Node | string | number | null | undefined | false} Leaf */
/** @typedef {Leaf | Leaf[]} Child */

const FORBIDDEN_ATTRIBUTES = new Set(["style", "innerhtml", "outerhtml", "srcdoc"]);

/**
 * Creates an element. Attributes: `on<event>` functions become listeners; `true` is a present boolean attribute;
 * `false`, null and undefined are left out; anything else is set as a string. Children: strings become text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue>} [attributes]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    setAttribute(node, name, value);
  }
  append(node, ...children);
  return node;
}

/**
 * @param {Element} node
 * @param {string} name
 * @param {AttrValue} value
 */
export function setAttribute(node, name, value) {
  const lower = name.toLowerCase();
  if (FORBIDDEN_ATTRIBUTES.has(lower) || lower.startsWith("on") !== (typeof value === "function")) {
    throw new Error(`dom.el: attribute ${name} is not allowed here (inline styles, markup and string event handlers break the page's CSP)`);
  }
  if (typeof value === "function") {
    node.addEventListener(lower.slice(2), value);
  } else if (value === true) {
    node.setAttribute(name, "");
  } else if (value === false || value === null || value === undefined) {
    node.removeAttribute(name);
  } else {
    node.setAttribute(name, String(value));
  }
}

/**
 * Appends children, strings as Text nodes.
 * @param {Node} parent
 * @param {...Child} children
 */
export function append(parent, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, ...child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/**
 * Replaces every child of `parent`.
 * @param {Element} parent
 * @param {...Child} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * Shows or hides an element with the `hidden` attribute (app.css makes it win over any display rule).
 * @param {HTMLElement} node
 * @param {boolean} visible
 */
export function show(node, visible) {
  node.hidden = !visible;
}
