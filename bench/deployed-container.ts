// A container as a deploy/base Deployment runs it: its literal env values
// (NODE_OPTIONS, MALLOC_ARENA_MAX) and its memory limit, so the benchmarks
// measure the process as deployed rather than a copy of its flags, and the
// tests compare the image with what the Deployments set.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { PACKAGE_ROOT } from "../core/cli/paths.ts";

export interface DeployedContainer {
  env: Record<string, string>;
  /** resources.limits.memory, e.g. "384Mi"; undefined when the container sets none. */
  memoryLimit: string | undefined;
}

/** The first container of the Deployment in deploy/base/`file`. */
export function deployedContainer(file: string): DeployedContainer {
  const path = join(PACKAGE_ROOT, "deploy", "base", file);
  const documents = parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as Record<string, any>);
  const container = documents.find((d) => d?.kind === "Deployment")?.spec?.template?.spec?.containers?.[0];
  const env: Array<{ name: string; value?: string }> = container?.env ?? [];
  const memoryLimit: unknown = container?.resources?.limits?.memory;
  return {
    env: Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!])),
    memoryLimit: typeof memoryLimit === "string" ? memoryLimit : undefined,
  };
}

/** The webhook's container (deployment.yaml), which must set a memory limit: the benchmarks run under it. */
export function deployedWebhookContainer(): DeployedContainer & { memoryLimit: string } {
  const container = deployedContainer("deployment.yaml");
  const { memoryLimit } = container;
  if (memoryLimit === undefined) throw new Error("deploy/base/deployment.yaml: the webhook container has no resources.limits.memory");
  return { ...container, memoryLimit };
}
