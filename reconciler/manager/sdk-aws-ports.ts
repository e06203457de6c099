// The AWS ports `hostgate serve` gives the reconciler: the SDK adapters for
// exactly the services the platform config needs, from the SDK's default
// credential and endpoint chain (AWS_ENDPOINT_URL, web identity for IRSA,
// pod identity), with no hostgate flag in between. ACM and ELBv2 are
// regional: they are asked in the region of the configured listeners (a
// certificate can only be attached to a load balancer of its own region), so
// no AWS_REGION is needed for them; Route53 is global. With the AWS Load
// Balancer Controller (no listener configured, none touched) ACM is asked in
// the SDK's own region (AWS_REGION), and no ELBv2 client is made. The SDK modules are
// imported only when needed: they cost start-up time.
import { arnParts } from "../../core/aws/arn.ts";
import { certificatesInAcm, certificatesOnListeners, listenerArns } from "../../core/config/acm-settings.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { Logger } from "../../core/logger.ts";
import type { AwsPorts } from "./aws-ports.ts";

/** The listeners' region (the config check keeps them in one), or undefined when no listener is configured. */
export function listenerRegion(config: PlatformConfig): string | undefined {
  return listenerArns(config)
    .map((arn) => arnParts(arn)?.region)
    .find((region) => region !== undefined && region !== "");
}

export async function sdkAwsPorts(config: PlatformConfig, logger: Logger): Promise<AwsPorts> {
  const ports: AwsPorts = {};
  const retry = { logger };
  if (config.dns.provider === "route53") {
    const { SdkRoute53, defaultRoute53Client } = await import("../dns/route53/sdk-route53.ts");
    ports.route53 = new SdkRoute53(await defaultRoute53Client(), retry);
  }
  if (certificatesInAcm(config)) {
    const region = listenerRegion(config);
    const { SdkAcm, defaultAcmClient } = await import("../certificates/aws/sdk-acm.ts");
    ports.acm = new SdkAcm(defaultAcmClient(region), retry);
  }
  // Not with the AWS Load Balancer Controller (certificatesByDiscovery): it owns its ALBs' listeners, and hostgate needs no ELBv2 client.
  if (certificatesOnListeners(config)) {
    const { SdkListener, defaultListenerClient } = await import("../certificates/aws/sdk-listener.ts");
    ports.listeners = new SdkListener(defaultListenerClient(listenerRegion(config)), retry);
  }
  return ports;
}
