// @ts-check
// The create/edit form. Each change asks the API server for a dry run (debounced
// ~300 ms; a newer check aborts the older request, and an answer that arrives
// after a newer check started is dropped), so the CRD schema, its CEL rules and
// the webhook's policies judge every keystroke in their own words. The answer
// is shown next to the fields (form-messages.js), with a preview of what will
// exist when the route is accepted.

import { asVerdict, isAbort, request, routesPath, seg } from "./api.js";
import { el, replace } from "./dom.js";
import { field, group, radio, select, setOptions, textInput } from "./form-fields.js";
import { FormMessages } from "./form-messages.js";
import { emptyValues, routeFromValues, valuesFromRoute } from "./route-model.js";
import { rebasedEdit } from "./stored-change.js";

/** @typedef {import("./types.js").Route} Route */
/** @typedef {import("./types.js").RouteView} RouteView */
/** @typedef {import("./types.js").Verdict} Verdict */
/** @typedef {import("./types.js").FormChoices} FormChoices */
/** @typedef {import("./types.js").NamespaceAccess} NamespaceAccess */
/** @typedef {import("./route-model.js").FormValues} FormValues */

export const CHECK_DELAY_MS = 300;

/** The form's status line for refusals that are not about what was typed (the summary holds the API's words). */
const STAGE_WORDS = /** @type {Partial<Record<import("./types.js").Refusal["stage"], string>>} */ ({
  conflict: "Not saved: the cluster holds a different version of this route now.",
  permission: "Not allowed: the cluster's access rules do not let you do this here.",
  unavailable: "The cluster could not be asked right now; try again in a moment.",
});

/**
 * @typedef {{
 *   localMode: boolean,
 *   choices: (namespace: string) => Promise<FormChoices>,
 *   saved: (words: string) => void,
 *   closed: () => void,
 * }} FormHooks
 */

export class RouteForm {
  /** @param {FormHooks} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    /** @type {"create" | "update"} */
    this.operation = "create";
    /** @type {Route | undefined} the object as read, for an edit */
    this.base = undefined;
    this.checkSeq = 0;
    /** @type {AbortController | undefined} */
    this.inFlight = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    this.revealAll = false;
    /** @type {FormChoices | undefined} */
    this.choices = undefined;
    /** @type {HTMLInputElement | HTMLSelectElement | undefined} a list when the Services can be listed, else a text box */
    this.serviceName = undefined;
    /** @type {HTMLInputElement | HTMLSelectElement | undefined} */
    this.servicePort = undefined;
    this.title = el("h2", { id: "editor-title", tabindex: "-1" }, "New route");
    this.namespace = select([], { required: true });
    this.name = textInput({ required: true });
    this.domain = textInput({ required: true, list: "domain-suggestions", inputmode: "url" });
    this.suggestions = el("datalist", { id: "domain-suggestions" });
    this.domainHint = el("span", {}, "");
    this.lbOut = radio({
      id: "f-lb-out",
      name: "lb",
      value: "alb-out",
      label: "Public: anyone on the internet",
      hint: "Served by the internet-facing load balancer. The platform then requires a login in front of the app unless your namespace is exempt.",
      controlOf: "spec.lb",
      required: true,
    });
    this.lbIn = radio({
      id: "f-lb-in",
      name: "lb",
      value: "alb-in",
      label: "Internal: only the company network",
      hint: "Served by the internal load balancer: reachable from the company's private network only.",
      controlOf: "spec.lb",
      required: true,
    });
    this.serviceSlot = el("div", { class: "slot" });
    this.portSlot = el("div", { class: "slot" });
    this.externalIp = textInput({ inputmode: "decimal", placeholder: "10.20.30.40" });
    this.externalPort = textInput({ inputmode: "numeric" });
    this.externalProtocol = select(
      ["HTTP", "HTTPS", "TCP"].map((value) => ({ value, text: value })),
      {},
    );
    this.serviceFields = el("div", { class: "subfields" }, this.serviceSlot, this.portSlot);
    this.externalFields = el(
      "div",
      { class: "subfields", hidden: true },
      field(this.externalIp, {
        id: "f-external-ip",
        label: "IP address",
        field: "spec.backend.external.ip",
        required: true,
        hint: "IPv4, for example 10.20.30.40",
      }),
      field(this.externalPort, { id: "f-external-port", label: "Port", field: "spec.backend.external.port", required: true, hint: "1 to 65535" }),
      field(this.externalProtocol, {
        id: "f-external-protocol",
        label: "Protocol",
        field: "spec.backend.external.protocol",
        hint: "HTTPS: the gateway connects over TLS; TCP: forwarded as is",
      }),
    );
    this.noneNote = el(
      "p",
      { class: "note", hidden: true },
      "hostgate claims the domain and handles DNS, the certificate and the login; your own VirtualService on the platform's gateway routes the traffic.",
    );
    this.protect = el("input", { type: "checkbox", id: "f-protect" });
    this.protect.dataset.controlOf = "spec.protection";
    this.provider = select([], {});
    this.appId = textInput({});
    this.allowPaths = el("textarea", { rows: "3", spellcheck: "false" });
    this.authenticatePaths = el("textarea", { rows: "3", spellcheck: "false" });
    this.protectionFields = el(
      "div",
      { class: "subfields", hidden: true },
      field(this.provider, { id: "f-provider", label: "Login provider", field: "spec.protection.provider", required: true }),
      field(this.appId, {
        id: "f-appid",
        label: "App ID",
        field: "spec.protection.appId",
        required: true,
        hint: "Your application's ID at the provider: letters, digits, '.', '_' and '-'.",
      }),
      group(
        { id: "f-rules", legend: "Path rules (optional)", field: "spec.protection.rules" },
        field(this.allowPaths, {
          id: "f-allow-paths",
          label: "Paths open without login",
          hint: "One path a line, for example /healthz. Anyone who can reach the load balancer can open them.",
        }),
        field(this.authenticatePaths, { id: "f-authenticate-paths", label: "Paths that always need a login", hint: "One path a line." }),
      ),
    );
    for (const control of [this.allowPaths, this.authenticatePaths]) control.dataset.controlOf = "spec.protection.rules";

    this.previewList = el("ul", {});
    this.warningList = el("ul", { class: "warnings" });
    this.preview = el(
      "section",
      { class: "preview", "aria-labelledby": "preview-title", hidden: true },
      el("h3", { id: "preview-title" }, "What will exist"),
      this.previewList,
    );
    this.warnings = el(
      "section",
      { class: "warnings-box", "aria-labelledby": "warnings-title", hidden: true },
      el("h3", { id: "warnings-title" }, "Warnings from the cluster"),
      this.warningList,
    );
    this.stageNote = el("p", { class: "note", hidden: true }, "The cluster checks the basics first: fix these and the remaining checks follow.");
    this.summaryList = el("ul", {});
    this.summary = el(
      "div",
      { class: "error-summary", id: "error-summary", tabindex: "-1", hidden: true, "aria-labelledby": "error-summary-title" },
      el("h3", { id: "error-summary-title" }, "What the cluster would refuse"),
      this.stageNote,
      this.summaryList,
    );
    this.status = el("p", { class: "form-status", id: "form-status", role: "status", "aria-live": "polite" });
    this.submitButton = el("button", { type: "submit", class: "primary" }, "Create route");
    this.localNote = el("p", { class: "note", hidden: true }, "Local mode writes nothing: the checks and the preview are real; apply the route with kubectl.");

    this.form = el(
      "form",
      { novalidate: true, "aria-labelledby": "editor-title" },
      field(this.namespace, { id: "f-namespace", label: "Namespace", field: "metadata.namespace", required: true }),
      field(this.name, {
        id: "f-name",
        label: "Name",
        field: "metadata.name",
        required: true,
        hint: "Names this route in its namespace: lowercase letters, digits and '-'.",
      }),
      field(this.domain, { id: "f-domain", label: "Domain", field: "spec.domain", required: true, hint: this.domainHint }),
      this.suggestions,
      group(
        { id: "f-lb", legend: "Who can reach it", field: "spec.lb", required: true },
        el("p", { class: "hint" }, "Choose deliberately: there is no default."),
        this.lbOut,
        this.lbIn,
      ),
      group(
        { id: "f-backend", legend: "Where the traffic goes", field: "spec.backend", required: true },
        radio({ id: "f-backend-service", name: "backendKind", value: "service", label: "A Service in this namespace", controlOf: "spec.backend" }),
        radio({ id: "f-backend-external", name: "backendKind", value: "external", label: "A machine by IP address (VM)", controlOf: "spec.backend" }),
        radio({ id: "f-backend-none", name: "backendKind", value: "none", label: "My own VirtualService routes it", controlOf: "spec.backend" }),
        this.serviceFields,
        this.externalFields,
        this.noneNote,
      ),
      group(
        { id: "f-protection", legend: "Login in front of the app", field: "spec.protection" },
        el("div", { class: "choice" }, this.protect, el("label", { for: "f-protect" }, "Require a login")),
        this.protectionFields,
      ),
      this.summary,
      this.preview,
      this.warnings,
      this.status,
      this.localNote,
      el("div", { class: "form-actions" }, this.submitButton, el("button", { type: "button", onclick: () => this.close() }, "Cancel")),
    );
    this.messages = new FormMessages(this.form, this.summary, this.summaryList);
    this.root = el("section", { id: "editor", class: "editor", hidden: true, "aria-labelledby": "editor-title" }, this.title, this.form);

    this.form.addEventListener("input", (event) => this.changed(event));
    this.form.addEventListener("change", (event) => this.changed(event));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.namespace.addEventListener("change", async () => {
      await this.loadChoices(this.namespace.value);
      this.scheduleCheck();
    });
  }

  /**
   * Opens an empty form.
   * @param {NamespaceAccess[]} namespaces where the person may create
   * @param {string} [namespace] the one to preselect
   */
  async openCreate(namespaces, namespace) {
    this.operation = "create";
    this.base = undefined;
    replace(this.title, "New route");
    this.submitButton.textContent = "Create route";
    setOptions(this.namespace, [{ value: "", text: "Choose a namespace…" }, ...namespaces.map((access) => ({ value: access.name, text: access.name }))]);
    const values = emptyValues();
    values.namespace = namespace ?? (namespaces.length === 1 ? namespaces[0].name : "");
    await this.open(values, false);
  }

  /**
   * Opens the form on a stored route.
   * @param {RouteView} view
   */
  async openEdit(view) {
    this.operation = "update";
    this.base = structuredClone(view.object);
    const { namespace = "", name = "" } = view.object.metadata;
    replace(this.title, `Edit ${namespace}/${name}`);
    this.submitButton.textContent = "Save changes";
    setOptions(this.namespace, [{ value: namespace, text: namespace }]);
    await this.open(valuesFromRoute(view.object), true);
    void this.check();
  }

  /**
   * @param {FormValues} values
   * @param {boolean} editing
   */
  async open(values, editing) {
    this.cancelCheck();
    this.messages.reset();
    this.revealAll = editing;
    this.namespace.disabled = editing;
    this.name.readOnly = editing;
    this.domain.readOnly = editing;
    this.showVerdict(undefined);
    this.status.textContent = "";
    this.localNote.hidden = !this.hooks.localMode;
    this.submitButton.disabled = this.hooks.localMode;
    this.root.hidden = false;
    // Values and focus first: the person may start typing before the namespace's choices arrive.
    this.write(values);
    this.title.focus();
    await this.loadChoices(values.namespace, values);
  }

  close() {
    this.cancelCheck();
    this.root.hidden = true;
    this.hooks.closed();
  }

  /** @returns {boolean} */
  get isOpen() {
    return !this.root.hidden;
  }

  /**
   * Told by the page when a route changes on the server. A change of metadata or status only (same generation) re-bases
   * the edit on the latest object (stored-change.js): the save keeps others' labels, annotations and finalizers and
   * carries only the person's spec edits; a change of the spec is said, not merged.
   * @param {"added" | "modified" | "deleted"} type
   * @param {Route} route
   */
  storedChange(type, route) {
    const base = this.base;
    if (!this.isOpen || !base || base.metadata.namespace !== route.metadata.namespace || base.metadata.name !== route.metadata.name) return;
    if (type === "deleted") {
      this.status.textContent = "This route was deleted while you edited it.";
    } else {
      const rebased = rebasedEdit(base, route);
      if (rebased) this.base = rebased;
      else this.status.textContent = "Someone else changed this route since you opened it: saving will be refused. Cancel and open it again.";
    }
  }

  /**
   * @param {string} namespace
   * @param {FormValues} [keep] values to offer even when the choices lack them (an edited route's Service or provider)
   */
  async loadChoices(namespace, keep) {
    /** @type {FormChoices} */
    let choices = { hostnames: [], services: [], providers: [] };
    if (namespace) {
      try {
        choices = await this.hooks.choices(namespace);
      } catch (error) {
        this.status.textContent = `Could not load the choices for ${namespace}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    if (namespace !== this.namespace.value) return; // another namespace was chosen meanwhile: its own load fills the form
    this.choices = choices;
    // What the form holds now (the person may have typed while the choices loaded), else what must stay offered.
    const now = this.read();
    const current = {
      ...now,
      serviceName: now.serviceName || keep?.serviceName || "",
      servicePort: now.servicePort || keep?.servicePort || "",
      provider: now.provider || keep?.provider || "",
    };
    const exact = choices.hostnames.filter((name) => !name.startsWith("*."));
    const wildcards = choices.hostnames.filter((name) => name.startsWith("*."));
    replace(this.suggestions, ...exact.map((name) => el("option", { value: name })));
    const granted = [...exact, ...wildcards.map((name) => `any name ending in ${name.slice(1)}`)];
    replace(this.domainHint, granted.length > 0 ? `Granted to ${namespace}: ${granted.join(", ")}.` : "For example shop.example.com.");
    this.buildServiceControls(current);
    const providers = [...choices.providers];
    if (current.provider && !providers.includes(current.provider)) providers.push(current.provider);
    setOptions(this.provider, [{ value: "", text: "Choose a provider…" }, ...providers.map((name) => ({ value: name, text: name }))]);
    this.provider.value = current.provider;
  }

  /**
   * The Service and port controls: lists when the person may list the namespace's Services, else text boxes.
   * @param {FormValues} values
   */
  buildServiceControls(values) {
    const services = this.choices?.services;
    const hintPort = "The Service's port (spec.ports[].port), not the container's.";
    if (!services || !Array.isArray(services)) {
      const why = services && "forbidden" in services ? `The Services cannot be listed here (${services.forbidden}): type the name.` : "";
      this.serviceName = textInput({});
      this.servicePort = textInput({ inputmode: "numeric" });
      replace(
        this.serviceSlot,
        field(this.serviceName, { id: "f-service-name", label: "Service", field: "spec.backend.service.name", required: true, hint: why || undefined }),
      );
      replace(
        this.portSlot,
        field(this.servicePort, { id: "f-service-port", label: "Service port", field: "spec.backend.service.port", required: true, hint: hintPort }),
      );
    } else {
      const names = services.map((service) => service.name);
      if (values.serviceName && !names.includes(values.serviceName)) names.push(values.serviceName);
      this.serviceName = select([{ value: "", text: "Choose a Service…" }, ...names.map((name) => ({ value: name, text: name }))], {});
      this.servicePort = select([], {});
      this.serviceName.addEventListener("change", () => this.offerPorts(""));
      replace(this.serviceSlot, field(this.serviceName, { id: "f-service-name", label: "Service", field: "spec.backend.service.name", required: true }));
      replace(
        this.portSlot,
        field(this.servicePort, { id: "f-service-port", label: "Service port", field: "spec.backend.service.port", required: true, hint: hintPort }),
      );
    }
    this.serviceName.value = values.serviceName;
    this.offerPorts(values.servicePort);
  }

  /**
   * Fills the port list from the chosen Service (one port: chosen for the person).
   * @param {string} keep a port to keep offered
   */
  offerPorts(keep) {
    const port = this.servicePort;
    if (!(port instanceof HTMLSelectElement)) return;
    const services = Array.isArray(this.choices?.services) ? this.choices.services : [];
    const ports = services.find((service) => service.name === this.serviceName?.value)?.ports ?? [];
    const options = ports.map((entry) => ({
      value: String(entry.port),
      text: [String(entry.port), entry.name, entry.protocol].filter(Boolean).join(" · "),
    }));
    if (keep && !options.some((option) => option.value === keep)) options.push({ value: keep, text: keep });
    setOptions(port, [{ value: "", text: options.length > 0 ? "Choose a port…" : "Choose a Service first" }, ...options]);
    port.value = keep || (ports.length === 1 ? String(ports[0].port) : "");
  }

  /** @returns {FormValues} */
  read() {
    const checked = (/** @type {string} */ name) =>
      /** @type {HTMLInputElement | null} */ (this.form.querySelector(`input[name="${name}"]:checked`))?.value ?? "";
    const lb = checked("lb");
    const kind = checked("backendKind");
    return {
      namespace: this.namespace.value,
      name: this.name.value,
      domain: this.domain.value,
      lb: lb === "alb-out" || lb === "alb-in" ? lb : "",
      backendKind: kind === "external" || kind === "none" ? kind : "service",
      serviceName: this.serviceName?.value ?? "",
      servicePort: this.servicePort?.value ?? "",
      externalIp: this.externalIp.value,
      externalPort: this.externalPort.value,
      externalProtocol: this.externalProtocol.value,
      protect: this.protect.checked,
      provider: this.provider.value,
      appId: this.appId.value,
      allowPaths: this.allowPaths.value,
      authenticatePaths: this.authenticatePaths.value,
    };
  }

  /** @param {FormValues} values */
  write(values) {
    this.namespace.value = values.namespace;
    this.name.value = values.name;
    this.domain.value = values.domain;
    for (const input of this.form.querySelectorAll('input[name="lb"]')) {
      /** @type {HTMLInputElement} */ (input).checked = /** @type {HTMLInputElement} */ (input).value === values.lb;
    }
    for (const input of this.form.querySelectorAll('input[name="backendKind"]')) {
      /** @type {HTMLInputElement} */ (input).checked = /** @type {HTMLInputElement} */ (input).value === values.backendKind;
    }
    if (this.serviceName) this.serviceName.value = values.serviceName;
    this.offerPorts(values.servicePort);
    if (this.servicePort instanceof HTMLInputElement) this.servicePort.value = values.servicePort;
    this.externalIp.value = values.externalIp;
    this.externalPort.value = values.externalPort;
    this.externalProtocol.value = values.externalProtocol || "HTTP";
    this.protect.checked = values.protect;
    this.provider.value = values.provider;
    this.appId.value = values.appId;
    this.allowPaths.value = values.allowPaths;
    this.authenticatePaths.value = values.authenticatePaths;
    this.showSections(values);
  }

  /** @param {FormValues} values */
  showSections(values) {
    this.serviceFields.hidden = values.backendKind !== "service";
    this.externalFields.hidden = values.backendKind !== "external";
    this.noneNote.hidden = values.backendKind !== "none";
    this.protectionFields.hidden = !values.protect;
  }

  /** @param {Event} event */
  changed(event) {
    this.messages.noteInput(event);
    this.showSections(this.read());
    if (event.target === this.namespace) return; // its choices load first, then its listener schedules the check
    this.scheduleCheck();
  }

  /** Checks after the person pauses: each keystroke restarts the wait and cancels a check under way. */
  scheduleCheck() {
    this.cancelCheck();
    this.timer = setTimeout(() => void this.check(), CHECK_DELAY_MS);
  }

  cancelCheck() {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight?.abort();
    this.inFlight = undefined;
    this.checkSeq += 1;
  }

  /** @returns {Route} */
  route() {
    return routeFromValues(this.read(), this.base);
  }

  /** Asks the API server for a dry run of the form as it is now. */
  async check() {
    const route = this.route();
    const namespace = route.metadata.namespace;
    if (!namespace) return;
    this.cancelCheck();
    const seq = this.checkSeq;
    const controller = new AbortController();
    this.inFlight = controller;
    this.status.textContent = "Checking with the cluster…";
    try {
      const answer = await request("POST", `${routesPath(namespace)}/dry-run`, {
        body: { operation: this.operation, route },
        signal: controller.signal,
      });
      if (seq !== this.checkSeq) return; // a newer check started: this answer is stale
      this.showVerdict(asVerdict(answer));
    } catch (error) {
      if (isAbort(error) || seq !== this.checkSeq) return;
      this.status.textContent = `Could not check: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  async submit() {
    if (this.hooks.localMode) {
      this.revealAll = true;
      await this.check();
      return;
    }
    this.cancelCheck();
    this.revealAll = true;
    const route = this.route();
    const { namespace = "", name = "" } = route.metadata;
    if (!namespace) {
      this.showVerdict({
        allowed: false,
        warnings: [],
        refusal: { stage: "other", status: 0, reason: "", fields: { "metadata.namespace": ["choose a namespace"] }, general: [] },
      });
      this.messages.focusFirst();
      return;
    }
    this.submitButton.disabled = true;
    this.status.textContent = this.operation === "create" ? "Creating…" : "Saving…";
    try {
      const path = this.operation === "create" ? routesPath(namespace) : `${routesPath(namespace)}/${seg(name)}`;
      const verdict = asVerdict(await request(this.operation === "create" ? "POST" : "PUT", path, { body: { route } }));
      if (verdict.allowed) {
        const words = this.operation === "create" ? `Created ${namespace}/${name}.` : `Saved ${namespace}/${name}.`;
        this.close();
        this.hooks.saved(words);
        return;
      }
      this.showVerdict(verdict);
      if (!this.messages.focusFirst()) this.status.focus();
    } catch (error) {
      this.status.textContent = `Not saved: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.submitButton.disabled = this.hooks.localMode;
    }
  }

  /**
   * Shows a verdict: messages by field and a summary when refused, the preview when accepted.
   * @param {Verdict | undefined} verdict
   */
  showVerdict(verdict) {
    replace(this.previewList);
    this.preview.hidden = true;
    const warnings = verdict?.warnings ?? [];
    replace(this.warningList, ...warnings.map((warning) => el("li", {}, warning)));
    this.warnings.hidden = warnings.length === 0;
    if (!verdict) {
      this.messages.clear();
      return;
    }
    if (verdict.allowed) {
      this.messages.clear();
      const lines = verdict.preview ?? [];
      replace(this.previewList, ...lines.map((line) => el("li", {}, line)));
      this.preview.hidden = lines.length === 0;
      const judge = this.hooks.localMode ? "hostgate's checks" : "The cluster";
      this.status.textContent = `${judge} would accept ${this.operation === "create" ? "this route" : "these changes"}.`;
      return;
    }
    const shown = this.messages.show(verdict.refusal, { revealAll: this.revealAll });
    this.stageNote.hidden = verdict.refusal.stage !== "schema";
    // A conflict on create is a taken name, shown beside the Name field like any other message.
    const stageWords = verdict.refusal.stage === "conflict" && this.operation === "create" ? undefined : STAGE_WORDS[verdict.refusal.stage];
    this.status.textContent = stageWords
      ? stageWords
      : shown === 0
        ? "Keep going: some required fields are still empty."
        : `${shown} ${shown === 1 ? "thing" : "things"} to fix before the cluster accepts this route.`;
  }
}
