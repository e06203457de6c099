// Certificate metrics for /metrics, read from the source at each scrape.
// The serving certificate's own expiry is exported by webhook/metrics.ts
// (hostgate_serving_certificate_expiry_timestamp_seconds); these add what
// only the self-managed source knows:
//   hostgate_ca_certificate_expiry_timestamp_seconds{ca}  one series per CA in
//     the bundle (1, or 2 during a rotation), `ca` = its common name, which
//     carries its issue time, so the label set stays tiny;
//   hostgate_certificate_check_failures  consecutive failed checks (0 = fine),
//     to alert on a renewal that keeps failing long before anything expires.
import { Gauge } from "prom-client";
import type { Registry } from "prom-client";
import { readCertificates } from "./certificate-info.ts";
import type { ManagerStatus } from "./manager.ts";
import type { TlsMaterial } from "./source.ts";

export interface CertificateMetricsSource {
  current(): TlsMaterial;
  notAfter(): Date | undefined;
  /** Only the self-managed source has it. */
  status?(): ManagerStatus;
}

export function registerCertificateMetrics(registry: Registry, source: CertificateMetricsSource): void {
  new Gauge({
    name: "hostgate_ca_certificate_expiry_timestamp_seconds",
    help: "When each CA in the webhook's CA bundle expires (Unix time); two series while a CA rotation overlaps.",
    labelNames: ["ca"] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (source.notAfter() === undefined) return;
      for (const ca of readCertificates(source.current().ca).certificates) this.set({ ca: ca.commonName }, ca.notAfter.getTime() / 1000);
    },
  });
  if (source.status !== undefined) {
    const status = source.status.bind(source);
    new Gauge({
      name: "hostgate_certificate_check_failures",
      help: "Consecutive failed certificate checks (store, signing or CA bundle publishing); 0 when the last one succeeded.",
      registers: [registry],
      collect() {
        this.set(status().consecutiveFailures);
      },
    });
  }
}
