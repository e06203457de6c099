// The port between whoever holds the cluster's existing objects whole and
// those who judge them again: the webhook's impact warning (policies/audit/
// module-impact.ts), the reconciler's background audit, and the CLI's
// `--kubeconfig` reads. Objects are kept as policies read them, minus what no
// policy reads and what costs the most memory (trim-for-audit.ts).
import type { KubeObject } from "../kube/object-key.ts";
import type { AuditedResource } from "./audited-resources.ts";

/** Where one audited kind stands in a holder of existing objects. */
export type AuditedKindState =
  /** Listed completely; changes are followed. */
  | { kind: "synced"; version: string }
  /** No version in AuditedResource.versions is served (its CRD is not installed): there are none. */
  | { kind: "not-served" }
  /** Not (yet) listed completely: its objects are missing or partial. `reason` says why, in one line. */
  | { kind: "pending"; reason: string }
  /** Dropped to stay within the holder's bound; `reason` names the bound and how to raise it. */
  | { kind: "dropped"; reason: string };

export interface ExistingObjectsSnapshot {
  /** The objects of every synced kind (apiVersion and kind always set), in no particular order. Never mutated afterwards. */
  objects: readonly KubeObject[];
  /** One entry per AUDITED_RESOURCES entry, in its order. */
  kinds: ReadonlyArray<{ resource: AuditedResource; state: AuditedKindState }>;
}

export interface ExistingObjectsHolder {
  /** What is held now: cheap (no copy of the objects), safe to call per review. */
  snapshot(): ExistingObjectsSnapshot;
  /** Called (synchronously, after the change is applied) whenever an object or a kind's state changes. Returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}
