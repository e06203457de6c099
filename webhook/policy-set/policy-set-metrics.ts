// Metrics of a live policy set: which generation is in force (a swap bumps
// it; alert when replicas disagree for long) and how many modules are in
// force as fail-closed stand-ins (alert when above zero).
import { Gauge } from "prom-client";
import type { Registry } from "prom-client";

export interface PolicySetMetricsSource {
  generation(): number;
  failedModules(): readonly string[];
}

export function registerPolicySetMetrics(registry: Registry, source: PolicySetMetricsSource): void {
  new Gauge({
    name: "hostgate_policy_set_generation",
    help: "Policy sets swapped in since start (PolicyModules from the cluster); 0 until the first is in force.",
    registers: [registry],
    collect() {
      this.set(source.generation());
    },
  });
  new Gauge({
    name: "hostgate_policy_module_load_failures",
    help: "PolicyModules in the cluster that cannot load; what each matches is denied until it is fixed or deleted.",
    registers: [registry],
    collect() {
      this.set(source.failedModules().length);
    },
  });
}
