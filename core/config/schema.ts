// JSON Schema of the platform config file. Every key carries a description:
// the README points at this schema, and validation errors quote the
// description as the "how to fix" part, so they must read as instructions.
import { DEFAULT_EDGE_CAPACITY, MAX_GATEWAY_LISTENERS } from "./edge-pool.ts";
import { LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN } from "./label-patterns.ts";
import { observabilitySchema } from "./observability-schema.ts";

export { LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN } from "./label-patterns.ts";

/** Lowercase DNS name of at least two labels, 253 characters at most. */
export const DNS_NAME_PATTERN = "^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$";
/**
 * Route53 hosted zone ID: uppercase letters and digits, 32 at most, as the
 * API reference allows. AWS's own start with `Z`, but Route53-compatible
 * endpoints (moto, LocalStack) draw theirs at random, so the `Z` is not required.
 */
export const ZONE_ID_PATTERN = "^[A-Z0-9]{1,32}$";
/** Kubernetes namespace (RFC 1123 label). */
export const NAMESPACE_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
/** Lowercase HTTP header field name (RFC 9110 token). */
export const HEADER_TOKEN_PATTERN = "^[a-z0-9!#$%&'*+.^_`|~-]+$";
/** Provider names are short lowercase identifiers, as used in `spec.protection.provider`. */
export const PROVIDER_NAME_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
/** A Go-style duration of hours, minutes and seconds, e.g. `5m`, `90s`, `1h30m` (core/config/duration.ts). */
export const DURATION_PATTERN = "^(?=[0-9])([0-9]+h)?([0-9]+m)?([0-9]+s)?$";
/** An ALB HTTPS listener's ARN. */
export const LISTENER_ARN_PATTERN = "^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}/[0-9a-f]{16}$";
/**
 * An owner id for the TXT registry and for certificate tags: it is written
 * inside `external-dns/owner=<id>`, so no `,`, `=` or quotes, 63 characters at most.
 */
export const OWNER_ID_PATTERN = "^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

const labelMap = (description: string) => ({
  type: "object",
  default: {},
  description,
  propertyNames: { pattern: LABEL_KEY_PATTERN },
  additionalProperties: {
    type: "string",
    pattern: LABEL_VALUE_PATTERN,
    description: "A label value: 63 characters at most, letters, digits, `-`, `_`, `.`.",
  },
});

/** Regions a platform may list: a route's status.dns holds two records per region, and its CRD allows 64. */
export const MAX_REGIONS = 32;
/** Kubernetes Service name (RFC 1035 label: starts with a letter). */
export const SERVICE_NAME_PATTERN = "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$";
/** A Kubernetes object name (RFC 1123 subdomain), 253 characters at most: what a GatewayClass is called. */
export const DNS_SUBDOMAIN_PATTERN = "^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/** A DNS label (RFC 1123), 63 characters at most: region and cluster names. */
export const DNS_LABEL_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
/** An AWS region such as `eu-west-1`, `us-gov-west-1` or `ap-southeast-2`. */
export const AWS_REGION_PATTERN = "^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$";

const FIXED_KEYS = ["dnsName", "hostedZoneId"] as const;
const TWO_STEP_KEYS = ["service", "gatewayHostname"] as const;

/**
 * A subschema requiring some of `properties`' keys. ajv's strict mode wants a
 * required key declared beside it, and a missing key's message quotes that
 * declaration's description, so each is declared again by its description
 * alone (which validates nothing, so no value is reported twice).
 */
const requiring = (properties: Record<string, { description: string }>, keys: readonly string[]) => ({
  required: [...keys],
  properties: Object.fromEntries(keys.map((key) => [key, { description: properties[key].description }])),
});

/** The keys that name one load balancer, fixed or two-step: a single entry's, or a pool member's. */
const loadBalancerProperties = (example: string, gatewayExample: string) => {
  return {
    dnsName: {
      type: "string",
      pattern: DNS_NAME_PATTERN,
      description: `DNS name of the load balancer (fixed entries), lowercase, as shown by \`aws elbv2 describe-load-balancers\` (e.g. \`${example}\`). DNS alias records point here.`,
    },
    hostedZoneId: {
      type: "string",
      pattern: ZONE_ID_PATTERN,
      description:
        "The load balancer's canonical hosted zone ID, for fixed entries (`CanonicalHostedZoneId` in `aws elbv2 describe-load-balancers`, e.g. `Z35SXDOTRQ7X7K` in us-east-1), not the zone of your domain: alias records need it.",
    },
    service: {
      type: "object",
      additionalProperties: false,
      required: ["namespace", "name"],
      description:
        "Two-step entries: the gateway's Service (type LoadBalancer), e.g. `{namespace: istio-system, name: istio-ingressgateway}`. hostgate reads its `status.loadBalancer.ingress` and publishes it at `gatewayHostname`. Not with certificates in ACM, which live on an ALB's listener (a Service gets an NLB): use cert-manager. Not with `gateway.provider: gateway-api`, where a two-step member is its pooled Gateway (`gatewayHostname` alone).",
      properties: {
        namespace: { type: "string", pattern: NAMESPACE_PATTERN, description: "Namespace of the Service, e.g. `istio-system`." },
        name: { type: "string", pattern: SERVICE_NAME_PATTERN, description: "Name of the Service, e.g. `istio-ingressgateway`." },
      },
    },
    gatewayHostname: {
      type: "string",
      pattern: DNS_NAME_PATTERN,
      description:
        `Two-step entries: the name hostgate publishes the Service's address at (with \`gateway.provider: gateway-api\`: the address of the member's Gateway) ` +
        `as an A/AAAA record, or a CNAME when a hostname is reported; lowercase, under one of \`domains[].apex\` but not an apex itself, one per cluster (e.g. \`${gatewayExample}\`). Routes on this load balancer get a CNAME to it.`,
    },
    ipAddressType: {
      enum: ["ipv4", "dualstack"],
      default: "ipv4",
      description:
        "`IpAddressType` of the load balancer in `aws elbv2 describe-load-balancers`: `ipv4` (default) or `dualstack`. A dualstack load balancer also gets an AAAA alias record.",
    },
    listenerArn: {
      type: "string",
      pattern: LISTENER_ARN_PATTERN,
      description:
        "ARN of the load balancer's HTTPS listener that route certificates are attached to (`aws elbv2 describe-listeners`, e.g. `arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public-1/50dc6c495c0c9188/f2f7dc8efc522ab2`). Required on fixed entries and pool members when certificates go to ACM (`certificates.provider: acm`, or cert-manager with `importToAcm`), all in one region.",
    },
  };
};

type LoadBalancerProperties = ReturnType<typeof loadBalancerProperties>;

/** Whether an entry names any two-step key, which makes it two-step. */
const namesTwoStepKey = (properties: LoadBalancerProperties) => ({ anyOf: TWO_STEP_KEYS.map((key) => requiring(properties, [key])) });

/**
 * Exactly one kind: naming any two-step key makes the entry two-step
 * (`gatewayHostname` then required; `service` too on the Istio data plane,
 * see istioTwoStepRules); otherwise it is fixed. Writing keys of both kinds
 * is refused by load-balancer-checks.ts with a message naming them.
 */
const oneKind = (properties: LoadBalancerProperties) => ({
  if: namesTwoStepKey(properties),
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keyword, read by ajv, never awaited
  then: requiring(properties, ["gatewayHostname"]),
  else: requiring(properties, FIXED_KEYS),
});

/**
 * On the Istio data plane a two-step load balancer is a gateway Service, so
 * `service` is required beside `gatewayHostname`. (On the Gateway API data
 * plane it is a pooled Gateway hostgate writes, `gatewayHostname` alone, and
 * `service` is refused by gateway-api-checks.ts.)
 */
const istioTwoStep = (properties: LoadBalancerProperties) => ({
  if: namesTwoStepKey(properties),
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keyword, read by ajv, never awaited
  then: requiring(properties, ["service"]),
});

/** Members a class may list: placement walks them all for every route, and status names one by its (short) name. */
export const MAX_POOL_MEMBERS = 32;

const capacityLimit = (what: string, quota: number) => ({
  type: "integer",
  minimum: 1,
  maximum: 100000,
  default: quota,
  description: `${what} this member may hold before hostgate places no more routes on it: a positive integer, default ${quota} (AWS's default ALB quota; raise it only after AWS raised yours).`,
});

/** What one load balancer may hold: a configured member's, or every autoscaled member's. */
const capacity = (description: string) => ({
  type: "object",
  additionalProperties: false,
  default: {},
  description,
  properties: {
    certificates: capacityLimit("Certificates on its HTTPS listener besides the default one", DEFAULT_EDGE_CAPACITY.certificates),
    rules: capacityLimit("Listener rules", DEFAULT_EDGE_CAPACITY.rules),
    targetGroups: capacityLimit("Target groups", DEFAULT_EDGE_CAPACITY.targetGroups),
    listeners: {
      type: "integer",
      minimum: 1,
      maximum: MAX_GATEWAY_LISTENERS,
      default: MAX_GATEWAY_LISTENERS,
      description:
        `Gateway API data plane: listeners this member's Gateway may hold (one per route placed on it), 1 to ${MAX_GATEWAY_LISTENERS}, ` +
        `default ${MAX_GATEWAY_LISTENERS} (the Gateway API's own limit). Not used on the Istio data plane.`,
    },
  },
});

/** Autoscaled members' names are `<prefix>-NN`: a DNS label of 63 characters at most, so the prefix is 60 at most. */
export const MAX_AUTOSCALE_PREFIX = 60;
/** Autoscaled members are numbered with two digits. */
export const MAX_AUTOSCALE_MEMBERS = 99;

const autoscale = (example: string) => ({
  type: "object",
  additionalProperties: false,
  required: ["prefix", "maxMembers", "gatewayDomain"],
  description:
    "Gateway API data plane only (`gateway.provider: gateway-api`): when no member of this class has room for a new route, hostgate adds the next " +
    "pooled Gateway `<prefix>-01`, `<prefix>-02`, … (after the configured members, up to `maxMembers`), publishes its address at " +
    `\`<prefix>-NN.<gatewayDomain>\` and places the route there, e.g. \`{prefix: ${example}, maxMembers: 10, gatewayDomain: gw.example.com}\`.`,
  properties: {
    prefix: {
      type: "string",
      pattern: DNS_LABEL_PATTERN,
      maxLength: MAX_AUTOSCALE_PREFIX,
      description:
        `Start of the autoscaled members' names: a DNS label of ${MAX_AUTOSCALE_PREFIX} characters at most (lowercase letters, digits, \`-\`), e.g. \`${example}\`; ` +
        "no configured member of either class may be named `<prefix>-NN`, and the two classes need different prefixes.",
    },
    maxMembers: {
      type: "integer",
      minimum: 1,
      maximum: MAX_AUTOSCALE_MEMBERS,
      description: `How many members hostgate may add to this class, 1 to ${MAX_AUTOSCALE_MEMBERS}; past them a route that fits nowhere is refused (EdgePoolFull).`,
    },
    gatewayDomain: {
      type: "string",
      pattern: DNS_NAME_PATTERN,
      description:
        "Where the autoscaled members' gateway records go: each member's Gateway address is published at `<name>.<gatewayDomain>`. " +
        "Lowercase, under one of `domains[].apex` but not an apex itself, e.g. `gw.example.com`.",
    },
    capacity: capacity("What each autoscaled member may hold; each limit defaults as a configured member's does."),
  },
});

const poolMember = (visibility: string, example: string, gatewayExample: string, memberExample: string) => {
  const properties = loadBalancerProperties(example, gatewayExample);
  return {
    type: "object",
    additionalProperties: false,
    required: ["name"],
    description:
      `One ${visibility} load balancer of the pool, written as a single entry is (fixed: \`dnsName\` and \`hostedZoneId\`; two-step: \`service\` and ` +
      "`gatewayHostname`) plus its `name` and optional `capacity`.",
    ...oneKind(properties),
    properties: {
      name: {
        type: "string",
        pattern: DNS_LABEL_PATTERN,
        description: `The member's name: a DNS label (lowercase letters, digits, \`-\`, 63 at most), unique across both classes' members, e.g. \`${memberExample}\`. A route's \`status.edge.member\` and the \`hostgate.dev/edge-member\` annotation name it; renaming a member moves its routes.`,
      },
      ...properties,
      capacity: capacity(
        "What this load balancer may hold; routes are placed on the first member (in list order) with room for what they need. Each limit defaults to AWS's default ALB quota.",
      ),
    },
  };
};

const loadBalancer = (visibility: string, example: string, gatewayExample: string, memberExample: string, prefixExample: string) => {
  const properties = loadBalancerProperties(example, gatewayExample);
  const { ipAddressType } = properties;
  const { default: _default, ...withoutDefault } = ipAddressType;
  const members = {
    type: "array",
    minItems: 1,
    maxItems: MAX_POOL_MEMBERS,
    description:
      `A pool of ${visibility} load balancers for this class, 32 at most, in placement order: each route is placed on the first member with room ` +
      "and keeps it until someone moves it (annotation `hostgate.dev/edge-member`). With `members`, the entry has no load balancer keys of its own.",
    items: poolMember(visibility, example, gatewayExample, memberExample),
  };
  return {
    type: "object",
    description:
      `The ${visibility} load balancer that DomainRoutes with this \`spec.lb\` are published on: either fixed (\`dnsName\` and \`hostedZoneId\` of an ALB), or ` +
      "two-step (`service` and `gatewayHostname`: hostgate publishes the Service's address at `gatewayHostname` and routes get a CNAME to it), " +
      "or a pool (`members`: several such load balancers, each with a name and a capacity).",
    additionalProperties: false,
    // A pool names its load balancers in its members; an entry without
    // members is one load balancer of one kind. Keys of a load balancer beside
    // `members` are refused by load-balancer-checks.ts with a message naming them.
    // The entry's ipAddressType defaults only without members, so a pool
    // entry holds nothing but its members once loaded.
    if: { not: requiring({ members }, ["members"]) },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keyword, read by ajv, never awaited
    then: { ...oneKind(properties), properties: { ipAddressType: { description: ipAddressType.description, default: ipAddressType.default } } },
    properties: { ...properties, ipAddressType: withoutDefault, members, autoscale: autoscale(prefixExample) },
  };
};

/** The Istio data plane's rules on one class's entry: a two-step entry or member names its gateway `service`. */
const istioLoadBalancer = (example: string, gatewayExample: string) => {
  const properties = loadBalancerProperties(example, gatewayExample);
  return {
    type: "object",
    if: { not: requiring({ members: { description: "A pool's members." } }, ["members"]) },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keyword, read by ajv, never awaited
    then: istioTwoStep(properties),
    properties: { members: { type: "array", description: "A pool's members.", items: { type: "object", ...istioTwoStep(properties) } } },
  };
};

/** Whether the config chooses the Gateway API data plane (`gateway.provider: gateway-api`; absent is istio). */
const GATEWAY_API_MODE = {
  required: ["gateway"],
  properties: {
    gateway: {
      type: "object",
      description: "The data plane.",
      required: ["provider"],
      properties: { provider: { const: "gateway-api", description: "The Gateway API data plane." } },
    },
  },
};

export const platformConfigSchema = {
  $id: "https://hostgate.dev/schemas/platform-config.v1alpha1.json",
  title: "hostgate PlatformConfig",
  description:
    "Platform-wide settings of a hostgate installation: which domains it manages, where traffic enters, and the rules every DomainRoute is checked against. Unknown keys are errors so that typos cannot silently disable a setting.",
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "domains", "loadBalancers"],
  // The Istio data plane's two-step load balancers are gateway Services.
  if: GATEWAY_API_MODE,
  else: {
    properties: {
      loadBalancers: {
        type: "object",
        description: "The load balancers.",
        properties: {
          "alb-out": istioLoadBalancer("public-1.us-east-1.elb.amazonaws.com", "aks01-weu-public.example.com"),
          "alb-in": istioLoadBalancer("internal-1.us-east-1.elb.amazonaws.com", "aks01-weu-internal.example.com"),
        },
      },
    },
  },
  properties: {
    apiVersion: {
      const: "hostgate.dev/v1alpha1",
      description: "Must be `hostgate.dev/v1alpha1`.",
    },
    kind: {
      const: "PlatformConfig",
      description: "Must be `PlatformConfig`.",
    },
    domains: {
      type: "array",
      minItems: 1,
      description:
        "DNS zones the platform manages, at least one. A DomainRoute's `spec.domain` must equal or be under one apex; apexes must not repeat or nest (`shop.example.com` under `example.com`), so each domain has exactly one zone.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["apex", "zoneId"],
        description: "One managed DNS zone.",
        properties: {
          apex: {
            type: "string",
            pattern: DNS_NAME_PATTERN,
            description: "The zone's apex domain: a lowercase DNS name without a trailing dot, e.g. `example.com`.",
          },
          zoneId: {
            type: "string",
            pattern: ZONE_ID_PATTERN,
            description: "Route53 hosted zone ID of the apex: up to 32 uppercase letters or digits, e.g. `Z0123456789ABC` (without the `/hostedzone/` prefix).",
          },
          additionalZoneIds: {
            type: "array",
            uniqueItems: true,
            default: [],
            description:
              "Other Route53 hosted zones of this same apex (for example a private zone for internal names) that a DomainRoute may choose with `spec.dns.zoneId`. A route asking for any other zone gets no records. Default none.",
            items: {
              type: "string",
              pattern: ZONE_ID_PATTERN,
              description: "A Route53 hosted zone ID, e.g. `Z0PRIVATE0001`, without `/hostedzone/`.",
            },
          },
        },
      },
    },
    loadBalancers: {
      type: "object",
      additionalProperties: false,
      required: ["alb-out", "alb-in"],
      description: "The two load balancers a DomainRoute can choose with `spec.lb`. Both are required and must be different load balancers.",
      properties: {
        "alb-out": loadBalancer("internet-facing (public)", "public-1.us-east-1.elb.amazonaws.com", "aks01-weu-public.example.com", "public-1", "public"),
        "alb-in": loadBalancer("internal", "internal-1.us-east-1.elb.amazonaws.com", "aks01-weu-internal.example.com", "internal-1", "internal"),
      },
    },
    protection: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Application protection (authentication in front of an app) that DomainRoutes can request.",
      properties: {
        providers: {
          type: "array",
          uniqueItems: true,
          default: [],
          description:
            "Names of the protection providers installed on the platform (e.g. `sso`); `spec.protection.provider` must be one of them. May be empty.",
          items: {
            type: "string",
            pattern: PROVIDER_NAME_PATTERN,
            description: "A provider name: lowercase letters, digits and `-`, e.g. `sso`.",
          },
        },
        requireOnPublic: {
          type: "boolean",
          default: true,
          description:
            "When true (default), a DomainRoute on `alb-out` without `spec.protection` is denied unless a HostnameGrant sets `allowPublicWithoutProtection`. When false, it is admitted with a warning.",
        },
        identityHeader: {
          type: "string",
          pattern: HEADER_TOKEN_PATTERN,
          default: "x-app-id",
          description: "Lowercase HTTP header that carries the protected app's `appId` to the provider. Default `x-app-id`.",
        },
      },
    },
    gateway: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "The data plane that serves managed routes: Istio's ingress gateway (default) or Gateways of the Gateway API.",
      properties: {
        provider: {
          enum: ["istio", "gateway-api"],
          default: "istio",
          description:
            "`istio` (default): routes are served by Istio Gateway and VirtualService objects on the ingress gateway `selector` picks. `gateway-api`: each pool member is " +
            "a Gateway API Gateway named after it in `namespace`, and routes become HTTPRoutes attached to it (see `gatewayApi`). Changing it while routes are served " +
            "is refused when the reconciler starts: delete those routes first, or switch back.",
        },
        namespace: {
          type: "string",
          pattern: NAMESPACE_PATTERN,
          default: "istio-system",
          description:
            "Namespace of the ingress gateway deployment (`istio`), or of the pooled Gateways hostgate writes (`gateway-api`). Default `istio-system`.",
        },
        selector: {
          type: "object",
          minProperties: 1,
          default: { istio: "ingressgateway" },
          description:
            "Pod labels selecting the ingress gateway (a Kubernetes label map, at least one label). Default `{istio: ingressgateway}`. With `gateway-api` and " +
            "implementation `istio`, hostgate puts them on every pooled Gateway's pods (`spec.infrastructure.labels`) so its authorization policies select them: " +
            "there 8 labels at most, a key's prefix 252 characters at most (the Gateway API's limits).",
          propertyNames: { pattern: LABEL_KEY_PATTERN },
          additionalProperties: {
            type: "string",
            pattern: LABEL_VALUE_PATTERN,
            description: "A label value: 63 characters at most, letters, digits, `-`, `_`, `.`.",
          },
        },
        gatewayApi: {
          type: "object",
          additionalProperties: false,
          required: ["implementation", "gatewayClassName"],
          description:
            "With `provider: gateway-api` (required then, refused otherwise): which Gateway API implementation serves the pooled Gateways, " +
            "e.g. `{implementation: envoy-gateway, gatewayClassName: eg}`.",
          properties: {
            implementation: {
              enum: ["envoy-gateway", "istio", "aws-load-balancer-controller"],
              description:
                "The implementation behind `gatewayClassName`, which decides TLS and protection: `envoy-gateway` (protection through a SecurityPolicy calling " +
                "`authServices`), `istio` (protection through Istio AuthorizationPolicies, as on the Istio data plane) or `aws-load-balancer-controller` " +
                "(each member is an ALB; certificates from ACM or none; protected routes are refused, it has no external authorization).",
            },
            gatewayClassName: {
              type: "string",
              maxLength: 253,
              pattern: DNS_SUBDOMAIN_PATTERN,
              description:
                "`spec.gatewayClassName` of every pooled Gateway: the name of a GatewayClass of that implementation (lowercase, a Kubernetes object name), e.g. `eg`.",
            },
            gatewayClassNames: {
              type: "object",
              additionalProperties: false,
              default: {},
              description:
                "The GatewayClass of one class's pooled Gateways, where it is not `gatewayClassName`, e.g. `{alb-out: alb-public}`. Required with " +
                "`aws-load-balancer-controller` to tell a public from an internal class: the controller makes an internal ALB unless the GatewayClass's " +
                "LoadBalancerConfiguration says `scheme: internet-facing`, so alb-out and alb-in need two GatewayClasses. Default none.",
              properties: {
                "alb-out": { type: "string", maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN, description: "GatewayClass of alb-out's pooled Gateways." },
                "alb-in": { type: "string", maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN, description: "GatewayClass of alb-in's pooled Gateways." },
              },
            },
            authServices: {
              type: "object",
              default: {},
              description:
                "`envoy-gateway` only: for each of `protection.providers`, the gRPC ext_authz Service its routes' SecurityPolicies call, e.g. " +
                "`{sso: {namespace: sso-system, name: sso-authz, port: 9001}}`. A protected route whose provider has none is refused, never served unprotected. Default none.",
              propertyNames: { pattern: PROVIDER_NAME_PATTERN },
              additionalProperties: {
                type: "object",
                additionalProperties: false,
                required: ["namespace", "name", "port"],
                description: "A Service port speaking Envoy's gRPC ext_authz protocol, e.g. `{namespace: sso-system, name: sso-authz, port: 9001}`.",
                properties: {
                  namespace: { type: "string", pattern: NAMESPACE_PATTERN, description: "Namespace of the ext_authz Service, e.g. `sso-system`." },
                  name: { type: "string", pattern: SERVICE_NAME_PATTERN, description: "Name of the ext_authz Service, e.g. `sso-authz`." },
                  port: { type: "integer", minimum: 1, maximum: 65535, description: "The Service port of its gRPC ext_authz API, 1 to 65535, e.g. `9001`." },
                },
              },
            },
          },
        },
      },
    },
    externalBackends: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Rules for `spec.backend.external` (traffic sent to an IP outside the cluster).",
      properties: {
        deniedCidrs: {
          type: "array",
          uniqueItems: true,
          default: [],
          description:
            "IP ranges an external backend must not point into, in CIDR notation (IPv4 like `169.254.0.0/16` or IPv6 like `fd00:ec2::254/128`). Default none.",
          items: {
            type: "string",
            format: "cidr",
            description: "An IPv4 or IPv6 CIDR such as `10.0.0.0/8` or `fd00::/8`.",
          },
        },
      },
    },
    serviceBackends: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Rules for `spec.backend.service`.",
      properties: {
        allowCrossNamespace: {
          type: "boolean",
          default: false,
          description: "When false (default), `spec.backend.service.namespace` must be the DomainRoute's own namespace.",
        },
      },
    },
    dns: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "How the DNS records of DomainRoutes are written.",
      properties: {
        provider: {
          enum: ["route53", "external-dns", "none"],
          default: "none",
          description:
            "`route53`: hostgate writes the records itself, with a TXT ownership record beside each. `external-dns`: hostgate writes one DNSEndpoint per DomainRoute and external-dns (installed separately, with its CRD source enabled) writes the records. `none` (default): no DNS records.",
        },
        ownerId: {
          type: "string",
          pattern: OWNER_ID_PATTERN,
          description:
            "This installation's owner id in the TXT ownership records (external-dns's `--txt-owner-id`) and on the ACM certificates it requests, e.g. `hostgate-prod`. Records and certificates of another owner are never changed, so two clusters sharing a zone must use two ids. Default `cluster.name` when `cluster` is set; otherwise required with `provider: route53` or ACM certificates.",
        },
        recordType: {
          enum: ["alias", "cname"],
          default: "alias",
          description:
            "`alias` (default): an A alias record to the load balancer (and AAAA when it is dualstack); works at a zone apex and costs no DNS queries. `cname`: a CNAME with the route's `spec.dns.ttl`; not possible at a zone apex.",
        },
        resyncInterval: {
          type: "string",
          pattern: DURATION_PATTERN,
          default: "5m",
          description:
            "How often Route53 is read again to restore records changed or deleted by hand, as hours, minutes and seconds such as `5m` (default), `90s` or `1h30m`; between 30s and 24h. Route53 has no watch, so this bounds how long drift lasts.",
        },
        regionMode: {
          type: "object",
          additionalProperties: false,
          default: {},
          description:
            "How a route's DNS names spread across `regions` when neither the route (`spec.dns.mode`) nor its namespace's RegionPolicy says. Default `{mode: Active}`.",
          properties: {
            mode: {
              enum: ["Active", "RegionBound"],
              default: "Active",
              description:
                "`Active` (default): each cluster publishes the name for its own region, pointing at its own gateway. `RegionBound`: only the cluster in `sourceRegion` publishes, for every region.",
            },
            sourceRegion: {
              type: "string",
              pattern: DNS_LABEL_PATTERN,
              description: "With `mode: RegionBound` (and only then): the region whose cluster publishes, one of `regions[].name`, e.g. `weu`.",
            },
          },
        },
        externalDns: {
          type: "object",
          additionalProperties: false,
          default: {},
          description: "Settings for `provider: external-dns`.",
          properties: {
            labels: labelMap(
              "Labels put on every DNSEndpoint hostgate writes, so the external-dns instance meant for them selects them (its `--label-filter`). Default none. Keys under `hostgate.dev/` and `app.kubernetes.io/managed-by` are hostgate's own labels, not allowed here.",
            ),
          },
        },
      },
    },
    certificates: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "How the TLS certificates of DomainRoutes are obtained and put on the load balancers.",
      properties: {
        provider: {
          enum: ["acm", "cert-manager", "none"],
          default: "none",
          description:
            "`acm`: hostgate requests wildcard certificates from AWS Certificate Manager, validates them through its Route53 records and attaches them to the listeners. `cert-manager`: hostgate creates cert-manager Certificates (see `certManager`). `none` (default): no certificates.",
        },
        listenerCertificateLimit: {
          type: "integer",
          minimum: 1,
          maximum: 1000,
          default: 25,
          description:
            "Certificates a listener may hold, its default certificate included, before hostgate refuses to attach more (ALB's default quota is 25 per load balancer; raise this only after AWS raised yours). Default 25.",
        },
        certManager: {
          type: "object",
          additionalProperties: false,
          required: ["issuerRef"],
          description: "Settings for `provider: cert-manager`; required with it.",
          properties: {
            issuerRef: {
              type: "object",
              additionalProperties: false,
              required: ["name"],
              description: "The cert-manager issuer that signs the certificates, e.g. `{kind: ClusterIssuer, name: letsencrypt-dns}`.",
              properties: {
                kind: {
                  enum: ["ClusterIssuer", "Issuer"],
                  default: "ClusterIssuer",
                  description: "`ClusterIssuer` (default) or `Issuer` (then it must live in `certManager.namespace`).",
                },
                name: { type: "string", pattern: NAMESPACE_PATTERN, description: "Name of the issuer, e.g. `letsencrypt-dns`." },
                group: {
                  type: "string",
                  pattern: DNS_NAME_PATTERN,
                  default: "cert-manager.io",
                  description: "API group of the issuer: `cert-manager.io` (default) or an external issuer's group.",
                },
              },
            },
            namespace: {
              type: "string",
              pattern: NAMESPACE_PATTERN,
              default: "hostgate-system",
              description:
                "Namespace where hostgate creates its Certificates and cert-manager their Secrets. Only hostgate and the platform team may write there. Default `hostgate-system`.",
            },
            importToAcm: {
              type: "boolean",
              default: false,
              description:
                "When true, each issued certificate is imported into ACM (into the same ARN again on every renewal) and attached to the listener of the routes' load balancer. Default false.",
            },
          },
        },
      },
    },
    audit: {
      type: "object",
      additionalProperties: false,
      default: {},
      description:
        "The reconciler's background audit: every existing object of the kinds the admission webhooks intercept (DomainRoutes, RegionPolicies, HostnameGrants, Gateway API routes and Gateways, Istio VirtualServices and Gateways) judged by the policy set the webhook uses, published as OpenReports. Default off.",
      properties: {
        reports: {
          type: "boolean",
          default: false,
          description:
            "When true, the leading reconciler audits on start, on every change of the audited objects or PolicyModules, and every `interval`, and writes one OpenReports `Report` (openreports.io/v1alpha1) per namespace and a `ClusterReport`, named hostgate-audit, only when their content changes. Needs the OpenReports CRDs and deploy/components/reconciler-audit-reports. Default false.",
        },
        interval: {
          type: "string",
          pattern: DURATION_PATTERN,
          default: "1h",
          description: "How often the whole audit runs again when nothing changed, such as `1h` (default) or `30m`; between 5m and 24h.",
        },
        maxObjects: {
          type: "integer",
          minimum: 1000,
          maximum: 1000000,
          default: 50000,
          description:
            "The most existing objects (of every audited kind together) the leading reconciler holds for the audit, 1000 to 1000000; default 50000. Above it (or when they outgrow the heap) none are kept and no report is published, and the reconciler says so. About 1.6 kB of heap per object: raise the reconciler's memory limit with it.",
        },
      },
    },
    observability: observabilitySchema,
    cluster: {
      type: "object",
      additionalProperties: false,
      required: ["name", "region"],
      description:
        "Which cluster this installation runs in, when the platform spans `regions` (required then). Each region's cluster has its own config with its own `cluster`, e.g. `{name: aks01-weu, region: weu}`.",
      properties: {
        name: {
          type: "string",
          pattern: DNS_LABEL_PATTERN,
          description:
            "This cluster's name: a DNS label (lowercase letters, digits, `-`, 63 at most), unique across the platform, e.g. `aks01-weu`. It is the Route53 SetIdentifier of this cluster's latency records, the `hostgate.dev/cluster` label on its DNSEndpoints and the default `dns.ownerId`.",
        },
        region: { type: "string", pattern: DNS_LABEL_PATTERN, description: "The region this cluster runs in: one of `regions[].name`, e.g. `weu`." },
      },
    },
    regions: {
      type: "array",
      default: [],
      // A route's status lists two records per region at most (A and AAAA),
      // and the CRD bounds that list at 64 (crds/hostgate.dev_domainroutes.yaml).
      maxItems: MAX_REGIONS,
      description:
        "The regions the platform spans, one cluster each (every cluster's config lists the same regions), 32 at most. Empty (default): one region, and DNS records are published as on a single cluster.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name"],
        description: "One region, e.g. `{name: weu, dnsControllerLabels: {router.io/region: weu}, route53Region: eu-west-1}`.",
        properties: {
          name: {
            type: "string",
            pattern: DNS_LABEL_PATTERN,
            description: "The region's name: a DNS label (lowercase letters, digits, `-`, 63 at most), unique in the list, e.g. `weu`.",
          },
          dnsControllerLabels: labelMap(
            "With `dns.provider: external-dns` (required then, at least one label): the labels a DNSEndpoint needs for this region's external-dns instance to process it (its `--label-filter`), e.g. `{router.io/region: weu}`. No two regions may have the same labels, and keys under `hostgate.dev/` and `app.kubernetes.io/managed-by` are hostgate's own labels, not allowed here.",
          ),
          route53Region: {
            type: "string",
            pattern: AWS_REGION_PATTERN,
            description:
              "With `dns.provider: route53` (required then): the AWS region of this region's latency records (Route53 `Region`), where its clusters run, e.g. `eu-west-1`.",
          },
        },
      },
    },
  },
} as const;
