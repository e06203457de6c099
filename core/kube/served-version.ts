// Which version of a resource the cluster serves, asked the way kubectl's
// discovery would answer it but with the one port we have: a one-item list
// per candidate. 404 means that version (or the whole CRD) is not served;
// anything else is a real failure the caller must report or retry.
import { KubeApiError } from "./api-error.ts";
import type { ListWatchClient } from "./list-watch-client.ts";
import type { ResourceRef } from "./resource.ts";

/**
 * The first of `versions` served for `resource` (its own `version` ignored),
 * or undefined when none is (404 for each).
 * @throws KubeApiError for any failure other than 404 (unreachable, 403, …).
 */
export async function firstServedVersion(
  client: ListWatchClient,
  resource: Omit<ResourceRef, "version">,
  versions: readonly string[],
  signal: AbortSignal,
): Promise<string | undefined> {
  for (const version of versions) {
    try {
      await client.list({ ...resource, version }, { limit: 1, signal });
      return version;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) continue;
      throw error;
    }
  }
  return undefined;
}
