// The cluster's PolicyModule objects as a policy set, compiled the way the
// admission rule compiles one (policy-module-admission.ts: the same document,
// the same label), so what was admitted loads alike wherever it is loaded:
// the webhook's live set (webhook/policy-set/live-policy-set.ts), the
// reconciler's background audit through it, and `hostgate check | audit |
// diff --policies-from cluster`, which list the objects once.
//
// Nothing is ever left out: a module that does not load becomes a fail-closed
// stand-in, and no module at all is a set that denies (fail-closed-module.ts).
import type { KubeObject } from "../core/kube/object-key.ts";
import { compileModule, makePolicySet } from "./engine/module-loader.ts";
import type { CompiledModule, PolicySet } from "./engine/module-loader.ts";
import { failClosedModule, noPolicyModulesModule } from "./fail-closed-module.ts";
import { policyModuleDocument, policyModuleSource } from "./policy-module-admission.ts";

/** One object compiled: the module, or its fail-closed stand-in and the loader's problems. */
export interface LoadedPolicyModule {
  module: CompiledModule;
  /** The loader's problems when `module` is a fail-closed stand-in. */
  problems?: readonly string[];
}

export function loadPolicyModuleObject(name: string, object: KubeObject): LoadedPolicyModule {
  const label = policyModuleSource(name);
  let result: ReturnType<typeof compileModule>;
  try {
    result = compileModule(policyModuleDocument(object), label);
  } catch (error) {
    result = { problems: [`${label}: cannot be compiled: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if ("module" in result) return { module: result.module };
  return { module: failClosedModule(name, label, object, result.problems), problems: result.problems };
}

/** The set of these modules, in name order; no module at all fails closed. */
export function policySetOf(modules: ReadonlyMap<string, LoadedPolicyModule>): PolicySet {
  const names = [...modules.keys()].sort();
  return makePolicySet(names.length === 0 ? [noPolicyModulesModule()] : names.map((name) => modules.get(name)!.module));
}

/** Every listed PolicyModule compiled into the set the webhook would enforce, and the names of those that cannot load. */
export function policySetFromObjects(objects: readonly KubeObject[]): { policies: PolicySet; failed: Array<{ name: string; problems: readonly string[] }> } {
  const loaded = new Map<string, LoadedPolicyModule>();
  for (const object of objects) {
    const name = String(object.metadata?.name ?? "");
    loaded.set(name, loadPolicyModuleObject(name, object));
  }
  const failed = [...loaded]
    .filter(([, l]) => l.problems !== undefined)
    .map(([name, l]) => ({ name, problems: l.problems! }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { policies: policySetOf(loaded), failed };
}
