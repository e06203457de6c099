// What the page is sent of one route: the object as stored and its status in
// plain words (status-words.ts), plus the preview lines of a verdict
// (preview.ts). The one place the HTTP layer meets those two modules.
import type { KubeObject } from "../core/kube/object-key.ts";

export interface RouteWords {
  state: "live" | "pending" | "attention" | "removing";
  text: string;
  detail?: string;
}

export interface RouteView {
  object: KubeObject;
  words: RouteWords;
}

/** INTERIM ADAPTER until portal/status-words.ts (helper P2) lands: the Ready condition, barely worded. */
function interimRouteWords(route: KubeObject): RouteWords {
  const metadata = route.metadata ?? {};
  if (metadata.deletionTimestamp !== undefined) return { state: "removing", text: "being removed" };
  const status = route.status as { conditions?: Array<{ type?: string; status?: string; message?: string }> } | undefined;
  const ready = status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.status === "True") return { state: "live", text: "live" };
  return { state: "pending", text: "in progress", ...(ready?.message ? { detail: ready.message } : {}) };
}

export function routeView(object: KubeObject): RouteView {
  return { object, words: interimRouteWords(object) };
}

/** INTERIM ADAPTER until portal/preview.ts (helper P2) lands: no lines. */
export function routePreview(_route: KubeObject): string[] {
  return [];
}
