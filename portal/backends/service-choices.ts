// Services as the form offers them: the name and each port (number, name,
// protocol), sorted by name. A port without a usable number is left out: the
// form could not put it in spec.backend.service.port.
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ServiceChoice } from "../portal-backend.ts";
import { compareStrings } from "../../core/compare-strings.ts";

export function serviceChoices(services: readonly KubeObject[]): ServiceChoice[] {
  const choices: ServiceChoice[] = [];
  for (const service of services) {
    const name = service.metadata?.name;
    if (typeof name !== "string" || name === "") continue;
    const ports = (service.spec as { ports?: unknown } | undefined)?.ports;
    choices.push({ name, ports: Array.isArray(ports) ? ports.flatMap(portChoice) : [] });
  }
  return choices.sort((a, b) => compareStrings(a.name, b.name));
}

function portChoice(port: unknown): ServiceChoice["ports"] {
  if (typeof port !== "object" || port === null) return [];
  const { port: number, name, protocol } = port as { port?: unknown; name?: unknown; protocol?: unknown };
  if (typeof number !== "number" || !Number.isInteger(number)) return [];
  return [{ port: number, ...(typeof name === "string" && name !== "" ? { name } : {}), ...(typeof protocol === "string" ? { protocol } : {}) }];
}
