// @ts-check
// The form's values ⇄ a DomainRoute (crds/types.ts). Pure, no DOM, so it is
// unit-tested in Node (route-model.test.ts). The page never judges a value
// itself: what the person typed goes into the object as typed (a port that is
// not a number stays a string), and the API server's dry run says what is
// wrong, in the CRD's and the policies' own words.
//
// An edit starts from the object as read, so fields the form does not show
// (labels, annotations, spec.dns, a Service's namespace) are kept.

/** @typedef {import("./types.js").Route} Route */
/** @typedef {import("./types.js").ProtectionRule} ProtectionRule */

/**
 * @typedef {{
 *   namespace: string,
 *   name: string,
 *   domain: string,
 *   lb: "" | "alb-out" | "alb-in",
 *   backendKind: "service" | "external" | "none",
 *   serviceName: string,
 *   servicePort: string,
 *   externalIp: string,
 *   externalPort: string,
 *   externalProtocol: string,
 *   protect: boolean,
 *   provider: string,
 *   appId: string,
 *   allowPaths: string,
 *   authenticatePaths: string,
 * }} FormValues
 */

export const API_VERSION = "hostgate.dev/v1alpha1";
export const KIND = "DomainRoute";

/** @returns {FormValues} an empty form: no load balancer chosen (spec.lb has no default: going public is a deliberate choice) */
export function emptyValues() {
  return {
    namespace: "",
    name: "",
    domain: "",
    lb: "",
    backendKind: "service",
    serviceName: "",
    servicePort: "",
    externalIp: "",
    externalPort: "",
    externalProtocol: "HTTP",
    protect: false,
    provider: "",
    appId: "",
    allowPaths: "",
    authenticatePaths: "",
  };
}

/**
 * The form's values for a stored route.
 * @param {Route} route
 * @returns {FormValues}
 */
export function valuesFromRoute(route) {
  const spec = route.spec ?? {};
  const values = emptyValues();
  values.namespace = route.metadata.namespace ?? "";
  values.name = route.metadata.name ?? "";
  values.domain = spec.domain ?? "";
  values.lb = spec.lb === "alb-out" || spec.lb === "alb-in" ? spec.lb : "";
  if (spec.routing?.mode === "External") {
    values.backendKind = "none";
  } else if (spec.backend?.external) {
    values.backendKind = "external";
    values.externalIp = spec.backend.external.ip ?? "";
    values.externalPort = text(spec.backend.external.port);
    values.externalProtocol = spec.backend.external.protocol ?? "HTTP";
  } else {
    values.serviceName = spec.backend?.service?.name ?? "";
    values.servicePort = text(spec.backend?.service?.port);
  }
  if (spec.protection) {
    values.protect = true;
    values.provider = spec.protection.provider ?? "";
    values.appId = spec.protection.appId ?? "";
    values.allowPaths = pathsOf(spec.protection.rules, "Allow");
    values.authenticatePaths = pathsOf(spec.protection.rules, "Authenticate");
  }
  return values;
}

/**
 * The DomainRoute the form describes: `base` (the object as read, for an edit) with the form's fields set.
 * @param {FormValues} values
 * @param {Route} [base]
 * @returns {Route}
 */
export function routeFromValues(values, base) {
  /** @type {Route} */
  const route = base ? structuredClone(base) : { apiVersion: API_VERSION, kind: KIND, metadata: {}, spec: {} };
  route.apiVersion ||= API_VERSION;
  route.kind ||= KIND;
  delete route.status;
  route.metadata = { ...route.metadata, name: values.name.trim(), namespace: values.namespace };
  const spec = { ...route.spec };
  spec.domain = values.domain.trim();
  if (values.lb) spec.lb = values.lb;
  else delete spec.lb;
  setBackend(spec, values, base);
  if (values.protect) {
    const rules = rulesUnchanged(values, base) ? (base?.spec.protection?.rules ?? []) : rulesFrom(values);
    /** @type {import("./types.js").Protection} */
    const protection = { ...spec.protection, provider: values.provider, appId: values.appId.trim() };
    if (rules.length > 0) protection.rules = rules;
    else delete protection.rules;
    spec.protection = protection;
  } else {
    delete spec.protection;
  }
  route.spec = spec;
  return route;
}

/**
 * @param {import("./types.js").RouteSpec} spec
 * @param {FormValues} values
 * @param {Route | undefined} base
 */
function setBackend(spec, values, base) {
  if (values.backendKind === "none") {
    spec.routing = { ...spec.routing, mode: "External" };
    delete spec.backend;
    return;
  }
  if (spec.routing?.mode === "External") spec.routing = { ...spec.routing, mode: "Managed" };
  if (values.backendKind === "external") {
    /** @type {import("./types.js").ExternalBackend} */
    const external = { ...base?.spec.backend?.external, ip: values.externalIp.trim() };
    setPort(external, values.externalPort);
    if (values.externalProtocol) external.protocol = values.externalProtocol;
    spec.backend = { external };
    return;
  }
  const name = values.serviceName.trim();
  if (name === "" && values.servicePort.trim() === "") {
    // Nothing chosen yet: leave the backend out so the API names what is missing (spec.backend).
    delete spec.backend;
    return;
  }
  /** @type {import("./types.js").ServiceBackend} */
  const service = { ...base?.spec.backend?.service, name };
  setPort(service, values.servicePort);
  spec.backend = { service };
}

/**
 * A port as typed: a whole number becomes a number; anything else is sent as typed, for the API to refuse in its own words.
 * @param {{ port?: number | string }} target
 * @param {string} typed
 */
function setPort(target, typed) {
  const trimmed = typed.trim();
  if (trimmed === "") delete target.port;
  else target.port = /^[0-9]{1,9}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/**
 * @param {FormValues} values
 * @returns {ProtectionRule[]}
 */
function rulesFrom(values) {
  /** @type {ProtectionRule[]} */
  const rules = [];
  const allow = lines(values.allowPaths);
  const authenticate = lines(values.authenticatePaths);
  if (allow.length > 0) rules.push({ action: "Allow", paths: allow });
  if (authenticate.length > 0) rules.push({ action: "Authenticate", paths: authenticate });
  return rules;
}

/**
 * True when the rule boxes still say what the stored route says: its rules are then kept exactly (the boxes merge
 * rules of one action, which would otherwise rewrite an untouched route).
 * @param {FormValues} values
 * @param {Route | undefined} base
 */
function rulesUnchanged(values, base) {
  const rules = base?.spec.protection?.rules;
  if (!rules) return false;
  return values.allowPaths === pathsOf(rules, "Allow") && values.authenticatePaths === pathsOf(rules, "Authenticate");
}

/**
 * One path a line, blank lines dropped, each path once (the CRD's paths are a set).
 * @param {string} block
 */
export function lines(block) {
  return [
    ...new Set(
      block
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== ""),
    ),
  ];
}

/**
 * @param {ProtectionRule[] | undefined} rules
 * @param {string} action
 */
function pathsOf(rules, action) {
  return (rules ?? [])
    .filter((rule) => rule.action === action)
    .flatMap((rule) => rule.paths ?? [])
    .join("\n");
}

/** @param {unknown} value */
function text(value) {
  return value === undefined || value === null ? "" : String(value);
}
