// The cluster state from manifests on disk (examples, policy tests, the CLI).
import { readManifests } from "../objects/read-manifests.ts";
import { ClusterStateIndex } from "./cluster-state-index.ts";

/**
 * Indexes every HostnameGrant and DomainRoute under `paths` (files or
 * folders); other objects are read but ignored.
 * @throws ManifestError when a path is missing or a file is malformed.
 */
export async function loadClusterState(paths: string | readonly string[]): Promise<ClusterStateIndex> {
  const manifests = await readManifests(typeof paths === "string" ? [paths] : paths);
  return ClusterStateIndex.fromObjects(manifests.map((m) => m.object));
}
