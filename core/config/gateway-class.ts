// The one reading of which GatewayClass a class's pooled Gateways use:
// gatewayApi.gatewayClassNames[class], else gatewayApi.gatewayClassName. A
// public and an internal class may need two (the AWS Load Balancer Controller
// takes the ALB's scheme from the GatewayClass's LoadBalancerConfiguration).
import type { LoadBalancerName, PlatformConfig } from "./platform-config.ts";

/** undefined unless gateway.provider is gateway-api. */
export function gatewayClassNameFor(config: Pick<PlatformConfig, "gateway">, lbClass: LoadBalancerName): string | undefined {
  const gatewayApi = config.gateway.gatewayApi;
  if (config.gateway.provider !== "gateway-api" || gatewayApi === undefined) return undefined;
  return gatewayApi.gatewayClassNames?.[lbClass] ?? gatewayApi.gatewayClassName;
}
