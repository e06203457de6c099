// @ts-check
// Shapes of the portal's JSON API as the page reads them (portal-api.md; the
// server's side is portal/portal-backend.ts). Types only: this module exports
// nothing at run time.

/**
 * @typedef {{ type: string, status: string, reason?: string, message?: string, observedGeneration?: number }} Condition
 * @typedef {{ name: string, port?: number | string, namespace?: string }} ServiceBackend
 * @typedef {{ ip: string, port?: number | string, protocol?: string }} ExternalBackend
 * @typedef {{ action: string, paths: string[] }} ProtectionRule
 * @typedef {{ provider: string, appId: string, rules?: ProtectionRule[] }} Protection
 * @typedef {{
 *   domain?: string,
 *   lb?: string,
 *   routing?: { mode?: string },
 *   backend?: { service?: ServiceBackend, external?: ExternalBackend },
 *   protection?: Protection,
 *   [other: string]: unknown,
 * }} RouteSpec
 * @typedef {{
 *   name?: string, namespace?: string, uid?: string, resourceVersion?: string, generation?: number,
 *   deletionTimestamp?: string, [other: string]: unknown,
 * }} Metadata
 * @typedef {{ dashboard?: string, logs?: string }} ObservabilityLinks
 * @typedef {{ apiVersion: string, kind: string, metadata: Metadata, spec: RouteSpec, status?: { conditions?: Condition[], observability?: ObservabilityLinks } }} Route
 * @typedef {{ state: "live" | "pending" | "attention" | "removing", text: string, detail?: string }} RouteWords
 * @typedef {{ object: Route, words: RouteWords }} RouteView
 * @typedef {{ name: string, may: { list: boolean, create: boolean, update: boolean, delete: boolean } }} NamespaceAccess
 * @typedef {{ name: string, ports: Array<{ port: number, name?: string, protocol?: string }> }} ServiceChoice
 * @typedef {{ hostnames: string[], services: ServiceChoice[] | { forbidden: string }, providers: string[] }} FormChoices
 * @typedef {{
 *   stage: "permission" | "schema" | "policy" | "conflict" | "unavailable" | "other",
 *   status: number, reason: string, fields: Record<string, string[]>, general: string[],
 * }} Refusal
 * @typedef {{ allowed: true, object: Route, warnings: string[], preview: string[] }
 *   | { allowed: false, refusal: Refusal, warnings: string[] }} Verdict
 * @typedef {{ user: string, groups: string[], mode: "cluster" | "local", csrf?: string }} Session
 */

export {};
