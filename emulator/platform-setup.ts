// What a platform team has in AWS before hostgate runs: a public hosted zone
// per apex with a few records of its own, a default certificate in ACM, and
// two ALBs (alb-out dualstack, alb-in internal) each with an HTTPS listener
// serving that default certificate. Everything here exists before the
// reconciler starts, so the run can check hostgate left every bit of it alone.
import { ACMClient, ImportCertificateCommand } from "@aws-sdk/client-acm";
import { CreateListenerCommand, CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import type { LoadBalancerName } from "../core/config/platform-config.ts";
import { serverPair } from "../reconciler/certificates/testing/pem-fixtures.ts";
import { vpcWithSubnets } from "./ec2-query.ts";
import { RUN_ID } from "./run-id.ts";

export const APEXES = ["example.com", "corp.example.net"] as const;

export interface AwsClients {
  route53: Route53Client;
  acm: ACMClient;
  elb: ElasticLoadBalancingV2Client;
}

export interface PlatformLoadBalancer {
  arn: string;
  dnsName: string;
  hostedZoneId: string;
  listenerArn: string;
  ipAddressType: "ipv4" | "dualstack";
}

export interface Platform {
  /** apex → hosted zone id (without `/hostedzone/`). */
  zones: Record<string, string>;
  loadBalancers: Record<LoadBalancerName, PlatformLoadBalancer>;
  defaultCertificateArn: string;
}

/** SDK clients from the default chain (AWS_ENDPOINT_URL, AWS_REGION, the dummy keys), as hostgate's own are. */
export function awsClients(): AwsClients {
  return { route53: new Route53Client({}), acm: new ACMClient({}), elb: new ElasticLoadBalancingV2Client({}) };
}

export async function setUpPlatform(clients: AwsClients, endpoint: string): Promise<Platform> {
  const zones: Record<string, string> = {};
  for (const apex of APEXES) zones[apex] = await hostedZone(clients, apex);
  // The platform's own records: hostgate must never touch them.
  await clients.route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zones["example.com"],
      ChangeBatch: {
        Changes: [
          { Action: "CREATE", ResourceRecordSet: { Name: "www.example.com", Type: "A", TTL: 300, ResourceRecords: [{ Value: "192.0.2.10" }] } },
          // Made by hand long ago at a name a tenant will ask for (routes.ts TAKEN).
          { Action: "CREATE", ResourceRecordSet: { Name: "legacy.example.com", Type: "A", TTL: 300, ResourceRecords: [{ Value: "192.0.2.20" }] } },
          { Action: "CREATE", ResourceRecordSet: { Name: "_dmarc.example.com", Type: "TXT", TTL: 300, ResourceRecords: [{ Value: '"v=DMARC1; p=none"' }] } },
        ],
      },
    }),
  );

  const pair = await serverPair(Date.now(), ["default.example.com"]);
  const imported = await clients.acm.send(
    new ImportCertificateCommand({
      Certificate: Buffer.from(pair.certPem),
      PrivateKey: Buffer.from(pair.keyPem),
      CertificateChain: Buffer.from(pair.caPem),
      Tags: [{ Key: "team", Value: "platform" }],
    }),
  );
  const defaultCertificateArn = imported.CertificateArn;
  if (defaultCertificateArn === undefined) throw new Error("ImportCertificate returned no ARN");

  const { subnetIds } = await vpcWithSubnets(endpoint);
  const loadBalancer = async (name: LoadBalancerName, scheme: "internet-facing" | "internal", ipAddressType: "ipv4" | "dualstack") => {
    const created = await clients.elb.send(
      new CreateLoadBalancerCommand({ Name: `${name}-${RUN_ID}`, Subnets: subnetIds, Scheme: scheme, Type: "application", IpAddressType: ipAddressType }),
    );
    const lb = created.LoadBalancers?.[0];
    if (lb?.LoadBalancerArn === undefined || lb.DNSName === undefined || lb.CanonicalHostedZoneId === undefined) {
      throw new Error(`CreateLoadBalancer ${name} returned no ARN, DNS name or canonical hosted zone id`);
    }
    const listener = await clients.elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: "HTTPS",
        Port: 443,
        Certificates: [{ CertificateArn: defaultCertificateArn }],
        DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain" } }],
      }),
    );
    const listenerArn = listener.Listeners?.[0]?.ListenerArn;
    if (listenerArn === undefined) throw new Error(`CreateListener on ${name} returned no ARN`);
    return { arn: lb.LoadBalancerArn, dnsName: lb.DNSName.toLowerCase(), hostedZoneId: lb.CanonicalHostedZoneId, listenerArn, ipAddressType };
  };
  const loadBalancers = {
    "alb-out": await loadBalancer("alb-out", "internet-facing", "dualstack"),
    "alb-in": await loadBalancer("alb-in", "internal", "ipv4"),
  };
  return { zones, loadBalancers, defaultCertificateArn };
}

/** A public hosted zone for `apex`, as the platform team creates it. */
async function hostedZone(clients: AwsClients, apex: string): Promise<string> {
  const created = await clients.route53.send(
    new CreateHostedZoneCommand({
      Name: apex,
      CallerReference: `hostgate-e2e-${apex}-${Date.now()}`,
      HostedZoneConfig: { Comment: "platform zone", PrivateZone: false },
    }),
  );
  const zoneId = created.HostedZone?.Id?.replace("/hostedzone/", "");
  if (zoneId === undefined) throw new Error(`CreateHostedZone for ${apex} returned no zone id`);
  return zoneId;
}
