// hostgate's real SDK adapters with every call written down (which service,
// which method, when), so the run can say what a reconcile pass sent: a
// settled pass must send no change at all.
import type { AwsPorts } from "../reconciler/manager/aws-ports.ts";

export interface PortCall {
  port: "route53" | "acm" | "listeners";
  method: string;
  at: number;
}

/** The methods that change something in AWS; every other port method only reads. */
export const WRITES = new Set(["changeRecords", "requestCertificate", "importCertificate", "deleteCertificate", "addCertificates", "removeCertificates"]);

function journaled<T extends object>(port: T, name: PortCall["port"], journal: PortCall[]): T {
  return new Proxy(port, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      // Called on the adapter itself: its private fields are not the proxy's.
      return (...args: unknown[]) => {
        journal.push({ port: name, method: String(property), at: Date.now() });
        return value.apply(target, args);
      };
    },
  });
}

export function journaledPorts(ports: AwsPorts, journal: PortCall[]): AwsPorts {
  return {
    ...(ports.route53 === undefined ? {} : { route53: journaled(ports.route53, "route53", journal) }),
    ...(ports.acm === undefined ? {} : { acm: journaled(ports.acm, "acm", journal) }),
    ...(ports.listeners === undefined ? {} : { listeners: journaled(ports.listeners, "listeners", journal) }),
  };
}

/** `port.method ×n` for the writes since `since`, sorted; empty when none. */
export function writesSince(journal: readonly PortCall[], since: number): string[] {
  const counts = new Map<string, number>();
  for (const call of journal) {
    if (call.at < since || !WRITES.has(call.method)) continue;
    const key = `${call.port}.${call.method}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${key} ×${n}`).sort();
}
