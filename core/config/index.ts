// The platform config: its schema, loading, test-case overrides and CEL form.
export type {
  DomainConfig,
  ExternalBackendsConfig,
  GatewayConfig,
  LoadBalancerConfig,
  LoadBalancerName,
  PlatformConfig,
  ProtectionConfig,
  ServiceBackendsConfig,
} from "./platform-config.ts";
export { PLATFORM_CONFIG_API_VERSION, PLATFORM_CONFIG_KIND } from "./platform-config.ts";
export { platformConfigSchema } from "./schema.ts";
export { ConfigError } from "./config-error.ts";
export { parsePlatformConfig, loadPlatformConfig } from "./load.ts";
export { validatePlatformConfig } from "./validate.ts";
export { mergeConfigOverrides } from "./merge.ts";
export { configToCel } from "./to-cel.ts";
export { isCidr } from "./cidr.ts";
