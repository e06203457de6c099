// The Kubernetes objects that carry the appId table to the ingress
// gateway: an Istio EnvoyFilter inserting the Lua filter just before
// ext_authz (authoritative), and a ConfigMap with the same table as JSON for
// people and audits to read (a copy; the reconciler reverts edits to it).
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { AppIdConflict, AppIdTable } from "./app-id-table.ts";
import { renderAppIdTableLua } from "./lua.ts";
import { sortKeysDeep } from "./sort-keys.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "../domainroute/render/metadata.ts";

export const APP_ID_TABLE_ENVOY_FILTER_NAME = "hostgate-identity";
export const APP_ID_TABLE_CONFIG_MAP_NAME = "hostgate-identity-table";
/** The HTTP filter's name in the Envoy listener. */
export const APP_ID_TABLE_LUA_FILTER_NAME = "hostgate.identity";
/** Negative, so Istio applies it before ordinary (priority 0) EnvoyFilters. */
export const DEFAULT_APP_ID_TABLE_FILTER_PRIORITY = -10;

export const LABEL_COMPONENT = "app.kubernetes.io/component";
export const LABEL_AUDIT_COPY = "hostgate.dev/audit-copy";
export const ANNOTATION_ENTRIES = "hostgate.dev/entries";
export const ANNOTATION_AUDIT_NOTE = "hostgate.dev/audit-note";
export const COMPONENT = "identity-table";

export const TABLE_KEY = "table.json";
export const CONFLICTS_KEY = "conflicts.json";

/**
 * Largest JSON size written: ConfigMaps are capped at 1 MiB and etcd at
 * 1.5 MiB per object, and a little room is left for server-side metadata.
 */
export const MAX_APP_ID_TABLE_OBJECT_BYTES = 1_000_000;

export interface AppIdTableObjectOptions {
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly identityHeader: string;
  readonly priority?: number;
}

export interface AppIdTableObjects {
  readonly envoyFilter: KubeObject;
  readonly configMap: KubeObject;
}

export function renderAppIdTableObjects(table: AppIdTable, options: AppIdTableObjectOptions): AppIdTableObjects {
  const labels = { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE, [LABEL_COMPONENT]: COMPONENT };
  const entries = String(table.entries.length);
  const envoyFilter = {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: { name: APP_ID_TABLE_ENVOY_FILTER_NAME, namespace: options.namespace, labels, annotations: { [ANNOTATION_ENTRIES]: entries } },
    spec: {
      workloadSelector: { labels: { ...options.selector } },
      priority: options.priority ?? DEFAULT_APP_ID_TABLE_FILTER_PRIORITY,
      configPatches: [
        {
          applyTo: "HTTP_FILTER",
          match: {
            context: "GATEWAY",
            listener: {
              filterChain: { filter: { name: "envoy.filters.network.http_connection_manager", subFilter: { name: "envoy.filters.http.ext_authz" } } },
            },
          },
          patch: {
            operation: "INSERT_BEFORE",
            value: {
              name: APP_ID_TABLE_LUA_FILTER_NAME,
              typed_config: {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua",
                default_source_code: { inline_string: renderAppIdTableLua(table.entries, options.identityHeader) },
              },
            },
          },
        },
      ],
    },
  };
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: APP_ID_TABLE_CONFIG_MAP_NAME,
      namespace: options.namespace,
      labels: { ...labels, [LABEL_AUDIT_COPY]: "true" },
      annotations: {
        [ANNOTATION_ENTRIES]: entries,
        [ANNOTATION_AUDIT_NOTE]: `Audit copy of the identity table. The EnvoyFilter ${options.namespace}/${APP_ID_TABLE_ENVOY_FILTER_NAME} is authoritative; hostgate reverts any edit made here.`,
      },
    },
    data: { [TABLE_KEY]: tableJson(table), [CONFLICTS_KEY]: conflictsJson(table.conflicts) },
  };
  return { envoyFilter: sortKeysDeep(envoyFilter), configMap: sortKeysDeep(configMap) };
}

/**
 * Problems that forbid writing the objects: today only size. An empty list
 * means they can be written.
 */
export function appIdTableObjectProblems(objects: AppIdTableObjects): string[] {
  const problems: string[] = [];
  for (const object of [objects.envoyFilter, objects.configMap]) {
    const bytes = Buffer.byteLength(JSON.stringify(object));
    if (bytes <= MAX_APP_ID_TABLE_OBJECT_BYTES) continue;
    const entries = (object.metadata?.annotations as Record<string, string> | undefined)?.[ANNOTATION_ENTRIES] ?? "?";
    problems.push(
      `${object.kind} ${object.metadata?.namespace}/${object.metadata?.name} would be ${formatBytes(bytes)} of JSON, over the ${formatBytes(MAX_APP_ID_TABLE_OBJECT_BYTES)} hostgate allows ` +
        `(a ConfigMap is capped at 1 MiB and any object at 1.5 MiB by etcd): the identity table (${entries} entries) is too large for one object. ` +
        `It will not be written: protect fewer routes in this cluster, or use shorter appIds and domains.`,
    );
  }
  return problems;
}

// One entry per line without indentation: readable, yet about as compact as
// the Lua (every quote costs a backslash again once inside the ConfigMap's
// JSON). Written by hand rather than with JSON.stringify of an object, which
// would put integer-like keys (a host such as "1") first.
function tableJson(table: AppIdTable): string {
  if (table.entries.length === 0) return "{}\n";
  const lines = table.entries.map((entry) => `${JSON.stringify(entry.host)}:${JSON.stringify(entry.appId)}`);
  return `{\n${lines.join(",\n")}\n}\n`;
}

function conflictsJson(conflicts: readonly AppIdConflict[]): string {
  if (conflicts.length === 0) return "[]\n";
  const lines = conflicts.map((conflict) => JSON.stringify({ appId: conflict.appId, routes: conflict.routes }));
  return `[\n${lines.join(",\n")}\n]\n`;
}

function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString("en-US")} bytes`;
}
