import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  InvalidChangeBatch,
  InvalidInput,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  PriorRequestNotComplete,
  type ResourceRecordSet,
  Route53Client,
  Route53ServiceException,
  ThrottlingException,
} from "@aws-sdk/client-route-53";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import { ChangeRejectedError, Route53UnavailableError } from "../route53-port.ts";
import type { DnsRecord, RecordChange } from "../route53-port.ts";
import { defaultRoute53Client, SdkRoute53 } from "./sdk-route53.ts";

const $metadata = { httpStatusCode: 400 };
const serviceError = (name: string, httpStatusCode: number, message = `${name} happened`) =>
  new Route53ServiceException({ name, $fault: httpStatusCode >= 500 ? "server" : "client", $metadata: { httpStatusCode }, message });
const socketError = (code: string) => Object.assign(new Error(`socket ${code}`), { code });

let route53: AwsStub<any, any, any>;
let sleeps: number[];
let port: SdkRoute53;

function adapter(random = 0): SdkRoute53 {
  return new SdkRoute53(new Route53Client({ region: "eu-west-1" }), {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => random,
  });
}

beforeEach(() => {
  route53 = mockClient(Route53Client);
  sleeps = [];
  port = adapter();
});
afterEach(() => route53.restore());

const inputs = (command: any) => route53.commandCalls(command).map((call) => call.args[0].input);

/** A latency record's TXT registry record as the port holds it, and as Route53 carries it (trailing dot): read and written alike. */
const LATENCY_TXT: DnsRecord = {
  name: "a-shop.example.com",
  type: "TXT",
  setIdentifier: "aks01-weu",
  region: "eu-west-1",
  ttl: 300,
  values: ['"heritage=external-dns"'],
};
const LATENCY_TXT_SET: ResourceRecordSet = {
  Name: "a-shop.example.com.",
  Type: "TXT",
  SetIdentifier: "aks01-weu",
  Region: "eu-west-1",
  TTL: 300,
  ResourceRecords: [{ Value: '"heritage=external-dns"' }],
};

describe("SdkRoute53 reads", () => {
  it("pages through a list of 3 pages, starting each page where the last one said", async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [{ Name: "a.example.com.", Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] }],
        IsTruncated: true,
        NextRecordName: "b.example.com.",
        NextRecordType: "A",
        MaxItems: 1,
      })
      .resolvesOnce({
        ResourceRecordSets: [{ Name: "b.example.com.", Type: "A", SetIdentifier: "eu", TTL: 60, ResourceRecords: [{ Value: "192.0.2.2" }] }],
        IsTruncated: true,
        NextRecordName: "b.example.com.",
        NextRecordType: "A",
        NextRecordIdentifier: "us",
        MaxItems: 1,
      })
      .resolvesOnce({
        ResourceRecordSets: [{ Name: "b.example.com.", Type: "A", SetIdentifier: "us", TTL: 60, ResourceRecords: [{ Value: "192.0.2.3" }] }],
        IsTruncated: false,
        MaxItems: 1,
      });
    const records = await port.listRecords("/hostedzone/Z1");
    assert.deepEqual(records, [
      { name: "a.example.com", type: "A", ttl: 60, values: ["192.0.2.1"] },
      { name: "b.example.com", type: "A", setIdentifier: "eu", ttl: 60, values: ["192.0.2.2"] },
      { name: "b.example.com", type: "A", setIdentifier: "us", ttl: 60, values: ["192.0.2.3"] },
    ]);
    assert.deepEqual(inputs(ListResourceRecordSetsCommand), [
      { HostedZoneId: "Z1" },
      { HostedZoneId: "Z1", StartRecordName: "b.example.com.", StartRecordType: "A" },
      { HostedZoneId: "Z1", StartRecordName: "b.example.com.", StartRecordType: "A", StartRecordIdentifier: "us" },
    ]);
  });

  it("stops with an error naming the zone when a page would start where the last one did, instead of reading forever", async () => {
    // Route53 pages by name, type and set identifier; an endpoint that leaves the identifier out (moto does) can answer the same start again.
    const page = {
      ResourceRecordSets: [{ Name: "w.example.com.", Type: "A" as const, SetIdentifier: "x", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] }],
    };
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ ...page, IsTruncated: true, NextRecordName: "w.example.com.", NextRecordType: "A" })
      .resolvesOnce({ ...page, IsTruncated: true, NextRecordName: "w.example.com.", NextRecordType: "A" })
      .resolves({ ...page, IsTruncated: false });
    await assert.rejects(
      port.listRecords("Z1"),
      (e) =>
        e instanceof Route53UnavailableError &&
        /ListResourceRecordSets on hosted zone Z1 answered the same next page \(w\.example\.com\. A\) twice/.test(e.message),
    );
    assert.equal(route53.commandCalls(ListResourceRecordSetsCommand).length, 2);
  });

  const nameCases = [
    { name: "decodes \\052 to * and drops the trailing dot", read: "\\052.example.com.", want: "*.example.com" },
    { name: "lowercases", read: "Shop.Example.COM.", want: "shop.example.com" },
    { name: "decodes every other octal escape", read: "\\100\\137x.example.com.", want: "@_x.example.com" },
    { name: "keeps a name without a trailing dot", read: "example.com", want: "example.com" },
  ];
  for (const c of nameCases) {
    it(`normalises a record name as read: ${c.name}`, async () => {
      route53
        .on(ListResourceRecordSetsCommand)
        .resolves({ ResourceRecordSets: [{ Name: c.read, Type: "TXT", TTL: 300, ResourceRecords: [{ Value: '"v"' }] }], IsTruncated: false });
      assert.deepEqual(await port.listRecords("Z1"), [{ name: c.want, type: "TXT", ttl: 300, values: ['"v"'] }]);
    });
  }

  it("reads an alias target lowercased without its dot, keeping dualstack., and no values (Route53 may send an empty list)", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        {
          Name: "shop.example.com.",
          Type: "A",
          ResourceRecords: [],
          AliasTarget: { HostedZoneId: "Z35SXDOTRQ7X7K", DNSName: "DualStack.ALB-1.us-east-1.elb.amazonaws.com.", EvaluateTargetHealth: false },
        },
      ],
      IsTruncated: false,
    });
    assert.deepEqual(await port.listRecords("Z1"), [
      {
        name: "shop.example.com",
        type: "A",
        alias: { hostedZoneId: "Z35SXDOTRQ7X7K", dnsName: "dualstack.alb-1.us-east-1.elb.amazonaws.com", evaluateTargetHealth: false },
      },
    ]);
  });

  it("reads an alias target's hosted zone id bare when Route53 answers it with /hostedzone/, so a steady zone plans nothing", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        {
          Name: "shop.example.com.",
          Type: "A",
          AliasTarget: { HostedZoneId: "/hostedzone/Z35SXDOTRQ7X7K", DNSName: "public-1.us-east-1.elb.amazonaws.com.", EvaluateTargetHealth: true },
        },
      ],
      IsTruncated: false,
    });
    assert.deepEqual(await port.listRecords("Z1"), [
      {
        name: "shop.example.com",
        type: "A",
        alias: { hostedZoneId: "Z35SXDOTRQ7X7K", dnsName: "public-1.us-east-1.elb.amazonaws.com", evaluateTargetHealth: true },
      },
    ]);
  });

  it("reads a latency record set's set identifier and region, and its TXT registry record's too", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        {
          Name: "shop.example.com.",
          Type: "A",
          SetIdentifier: "aks01-weu",
          Region: "eu-west-1",
          AliasTarget: { HostedZoneId: "Z32O12XQLNTSW2", DNSName: "alb-1.eu-west-1.elb.amazonaws.com.", EvaluateTargetHealth: true },
        },
        LATENCY_TXT_SET,
      ],
      IsTruncated: false,
    });
    assert.deepEqual(await port.listRecords("Z1"), [
      {
        name: "shop.example.com",
        type: "A",
        setIdentifier: "aks01-weu",
        region: "eu-west-1",
        alias: { hostedZoneId: "Z32O12XQLNTSW2", dnsName: "alb-1.eu-west-1.elb.amazonaws.com", evaluateTargetHealth: true },
      },
      LATENCY_TXT,
    ]);
  });

  // A set identifier without a region is how the port says "another routing policy": the planner never touches such a record.
  const otherPolicies = [
    { policy: "a weighted record set", fields: { Weight: 10 } },
    { policy: "a failover record set", fields: { Failover: "PRIMARY" as const } },
    { policy: "a geolocation record set", fields: { GeoLocation: { CountryCode: "DE" } } },
    { policy: "a geoproximity record set (its AWS region is not a latency region)", fields: { GeoProximityLocation: { AWSRegion: "eu-west-1", Bias: 0 } } },
    { policy: "a multivalue answer record set", fields: { MultiValueAnswer: true } },
    { policy: "an IP-based (CIDR) record set", fields: { CidrRoutingConfig: { CollectionId: "c-1", LocationName: "office" } } },
  ];
  for (const c of otherPolicies) {
    it(`reads ${c.policy} with its set identifier and no region, so it is never taken for a latency record`, async () => {
      route53.on(ListResourceRecordSetsCommand).resolves({
        ResourceRecordSets: [{ Name: "shop.example.com.", Type: "A", SetIdentifier: "blue", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }], ...c.fields }],
        IsTruncated: false,
      });
      assert.deepEqual(await port.listRecords("Z1"), [{ name: "shop.example.com", type: "A", setIdentifier: "blue", ttl: 60, values: ["192.0.2.1"] }]);
    });
  }

  it("gets a zone by its bare id and answers with bare ids and a plain name", async () => {
    route53.on(GetHostedZoneCommand).resolves({
      HostedZone: { Id: "/hostedzone/Z1", Name: "Example.com.", CallerReference: "x", Config: { PrivateZone: true } },
      DelegationSet: { NameServers: [] },
    });
    assert.deepEqual(await port.getZone("/hostedzone/Z1"), { id: "Z1", name: "example.com", privateZone: true });
    assert.deepEqual(inputs(GetHostedZoneCommand), [{ Id: "Z1" }]);
  });

  it("asks for a change by its bare id and reports PENDING until INSYNC", async () => {
    route53
      .on(GetChangeCommand)
      .resolvesOnce({ ChangeInfo: { Id: "/change/C1", Status: "PENDING", SubmittedAt: new Date(0) } })
      .resolvesOnce({ ChangeInfo: { Id: "/change/C1", Status: "INSYNC", SubmittedAt: new Date(0) } });
    assert.equal(await port.changeStatus("/change/C1"), "PENDING");
    assert.equal(await port.changeStatus("C1"), "INSYNC");
    assert.deepEqual(inputs(GetChangeCommand), [{ Id: "C1" }, { Id: "C1" }]);
  });
});

describe("SdkRoute53 writes", () => {
  it("sends one ChangeResourceRecordSets with names fully qualified, TXT values as given and alias targets as given, and answers the bare change id", async () => {
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: "/change/C42", Status: "PENDING", SubmittedAt: new Date(0) } });
    const alias = { hostedZoneId: "Z35SXDOTRQ7X7K", dnsName: "alb-1.us-east-1.elb.amazonaws.com", evaluateTargetHealth: true };
    const changes: RecordChange[] = [
      { action: "CREATE", record: { name: "shop.example.com", type: "A", alias } },
      { action: "CREATE", record: { name: "a-shop.example.com", type: "TXT", ttl: 300, values: ['"heritage=external-dns,external-dns/owner=prod"'] } },
      { action: "UPSERT", record: { name: "*.team.example.com", type: "CNAME", ttl: 60, values: ["alb-1.us-east-1.elb.amazonaws.com"] } },
      { action: "DELETE", record: { name: "old.example.com", type: "A", setIdentifier: "eu", ttl: 60, values: ["192.0.2.1"] } },
    ];
    assert.deepEqual(await port.changeRecords("/hostedzone/Z1", changes), { changeId: "C42" });
    assert.deepEqual(inputs(ChangeResourceRecordSetsCommand), [
      {
        HostedZoneId: "Z1",
        ChangeBatch: {
          Changes: [
            {
              Action: "CREATE",
              ResourceRecordSet: {
                Name: "shop.example.com.",
                Type: "A",
                AliasTarget: { HostedZoneId: "Z35SXDOTRQ7X7K", DNSName: "alb-1.us-east-1.elb.amazonaws.com", EvaluateTargetHealth: true },
              },
            },
            {
              Action: "CREATE",
              ResourceRecordSet: {
                Name: "a-shop.example.com.",
                Type: "TXT",
                TTL: 300,
                ResourceRecords: [{ Value: '"heritage=external-dns,external-dns/owner=prod"' }],
              },
            },
            {
              Action: "UPSERT",
              ResourceRecordSet: { Name: "*.team.example.com.", Type: "CNAME", TTL: 60, ResourceRecords: [{ Value: "alb-1.us-east-1.elb.amazonaws.com" }] },
            },
            {
              Action: "DELETE",
              ResourceRecordSet: { Name: "old.example.com.", Type: "A", SetIdentifier: "eu", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] },
            },
          ],
        },
      },
    ]);
  });

  it("sends a latency record set and its TXT registry record with SetIdentifier and Region, and deletes one with both", async () => {
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: "/change/C7", Status: "PENDING", SubmittedAt: new Date(0) } });
    const alias = { hostedZoneId: "Z32O12XQLNTSW2", dnsName: "alb-1.eu-west-1.elb.amazonaws.com", evaluateTargetHealth: true };
    const latency = { setIdentifier: "aks01-weu", region: "eu-west-1" };
    const changes: RecordChange[] = [
      { action: "DELETE", record: { name: "old.example.com", type: "A", ...latency, alias } },
      { action: "CREATE", record: { name: "shop.example.com", type: "A", ...latency, alias } },
      { action: "CREATE", record: LATENCY_TXT },
    ];
    await port.changeRecords("Z1", changes);
    const AliasTarget = { HostedZoneId: "Z32O12XQLNTSW2", DNSName: "alb-1.eu-west-1.elb.amazonaws.com", EvaluateTargetHealth: true };
    assert.deepEqual(inputs(ChangeResourceRecordSetsCommand)[0].ChangeBatch.Changes, [
      { Action: "DELETE", ResourceRecordSet: { Name: "old.example.com.", Type: "A", SetIdentifier: "aks01-weu", Region: "eu-west-1", AliasTarget } },
      { Action: "CREATE", ResourceRecordSet: { Name: "shop.example.com.", Type: "A", SetIdentifier: "aks01-weu", Region: "eu-west-1", AliasTarget } },
      { Action: "CREATE", ResourceRecordSet: LATENCY_TXT_SET },
    ]);
  });

  it("turns InvalidChangeBatch into ChangeRejectedError with Route53's individual messages, without retrying", async () => {
    const messages = [
      "Tried to create resource record set [name='shop.example.com.', type='A'] but it already exists",
      "RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.",
    ];
    route53.on(ChangeResourceRecordSetsCommand).rejects(new InvalidChangeBatch({ $metadata, message: `[${messages.join(", ")}]`, messages }));
    await assert.rejects(
      port.changeRecords("Z1", [{ action: "CREATE", record: { name: "shop.example.com", type: "A", ttl: 60, values: ["192.0.2.1"] } }]),
      (e) => e instanceof ChangeRejectedError && e.code === "InvalidChangeBatch" && assert.deepEqual(e.reasons, messages) === undefined,
    );
    assert.equal(route53.commandCalls(ChangeResourceRecordSetsCommand).length, 1);
    assert.deepEqual(sleeps, []);
  });

  it("turns InvalidChangeBatch without a message list, and InvalidInput, into ChangeRejectedError with the message as the reason", async () => {
    const change: RecordChange = { action: "DELETE", record: { name: "x.example.com", type: "A", ttl: 60, values: ["192.0.2.1"] } };
    for (const error of [
      new InvalidChangeBatch({ $metadata, message: "Tried to delete resource record set [name='x.example.com.', type='A'] but it was not found" }),
      new InvalidInput({ $metadata, message: "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]]" }),
    ]) {
      route53.on(ChangeResourceRecordSetsCommand).rejects(error);
      await assert.rejects(
        port.changeRecords("Z1", [change]),
        (e) => e instanceof ChangeRejectedError && e.code === error.name && assert.deepEqual(e.reasons, [error.message]) === undefined,
      );
    }
  });
});

describe("SdkRoute53 reads Route53's older InvalidChangeBatch body (root <InvalidChangeBatch><Messages>, no <Code>)", () => {
  // aws-sdk-go v1 (service/route53/unmarshal_error.go) and aws-sdk-kotlin parse this body by hand; SDK v3 for JavaScript
  // does not: it throws a Route53ServiceException named "Unknown" with the parsed <Messages> as a property.
  const legacy = (messages: unknown) =>
    Object.assign(new Route53ServiceException({ name: "Unknown", $fault: "client", $metadata, message: "UnknownError" }), {
      Messages: messages,
      RequestId: "r1",
    });
  const change: RecordChange = { action: "CREATE", record: { name: "shop.example.com", type: "A", ttl: 60, values: ["192.0.2.1"] } };
  const cases = [
    {
      name: "several messages",
      messages: { Message: ["Tried to create resource record set [name='shop.example.com.', type='A'] but it already exists", "second"] },
    },
    { name: "one message", messages: { Message: "Tried to create resource record set [name='shop.example.com.', type='A'] but it already exists" } },
  ];
  for (const c of cases) {
    it(`is a ChangeRejectedError with Route53's messages, not a Route53 outage, with ${c.name}, without retrying`, async () => {
      route53.on(ChangeResourceRecordSetsCommand).rejects(legacy(c.messages));
      const want = [c.messages.Message].flat();
      await assert.rejects(
        port.changeRecords("Z1", [change]),
        (e) => e instanceof ChangeRejectedError && e.code === "InvalidChangeBatch" && assert.deepEqual(e.reasons, want) === undefined,
      );
      assert.equal(route53.commandCalls(ChangeResourceRecordSetsCommand).length, 1);
    });
  }
});

describe("SdkRoute53 retries what Route53 asks to retry", () => {
  const retryable = [
    { name: "Throttling", error: () => serviceError("Throttling", 400, "Rate exceeded") },
    { name: "ThrottlingException", error: () => new ThrottlingException({ $metadata, message: "Rate exceeded" }) },
    {
      name: "PriorRequestNotComplete",
      error: () => new PriorRequestNotComplete({ $metadata, message: "The request was rejected because Route 53 was still processing a prior request." }),
    },
    { name: "RequestLimitExceeded", error: () => serviceError("RequestLimitExceeded", 400) },
    { name: "a 5xx", error: () => serviceError("ServiceUnavailable", 503) },
    { name: "a reset connection", error: () => socketError("ECONNRESET") },
    { name: "a timeout", error: () => Object.assign(new Error("timed out"), { name: "TimeoutError" }) },
  ];
  for (const c of retryable) {
    it(`backs off after ${c.name}, twice, then succeeds`, async () => {
      route53
        .on(GetHostedZoneCommand)
        .rejectsOnce(c.error())
        .rejectsOnce(c.error())
        .resolves({ HostedZone: { Id: "/hostedzone/Z1", Name: "example.com.", CallerReference: "x" } });
      assert.equal((await port.getZone("Z1")).name, "example.com");
      assert.deepEqual(sleeps, [500, 1000], "exponential from 500 ms; random 0 means no jitter taken off");
      assert.equal(route53.commandCalls(GetHostedZoneCommand).length, 3);
    });
  }

  it("retries a change batch refused as PriorRequestNotComplete and sends the same batch again", async () => {
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(new PriorRequestNotComplete({ $metadata, message: "still processing" }))
      .resolves({ ChangeInfo: { Id: "/change/C7", Status: "PENDING", SubmittedAt: new Date(0) } });
    const change: RecordChange = { action: "UPSERT", record: { name: "x.example.com", type: "A", ttl: 60, values: ["192.0.2.1"] } };
    assert.deepEqual(await port.changeRecords("Z1", [change]), { changeId: "C7" });
    const [first, second] = inputs(ChangeResourceRecordSetsCommand);
    assert.deepEqual(first, second);
  });

  it("takes jitter off the delay: with random near 1 a delay is about half", async () => {
    port = adapter(0.999);
    route53
      .on(GetChangeCommand)
      .rejectsOnce(serviceError("Throttling", 400))
      .rejectsOnce(serviceError("Throttling", 400))
      .resolves({ ChangeInfo: { Id: "C1", Status: "INSYNC", SubmittedAt: new Date(0) } });
    await port.changeStatus("C1");
    assert.deepEqual(sleeps, [250, 500]);
  });

  it("gives up after 6 attempts with Route53UnavailableError that says what failed and what next, the delays capped and growing", async () => {
    route53.on(ListResourceRecordSetsCommand).rejects(serviceError("Throttling", 400, "Rate exceeded"));
    await assert.rejects(port.listRecords("Z1"), (e) => {
      assert.ok(e instanceof Route53UnavailableError);
      assert.equal(e.code, "Throttling");
      assert.equal(
        e.message,
        "Route53 ListResourceRecordSets on arn:aws:route53:::hostedzone/Z1 was still throttled after 6 attempts (Throttling: Rate exceeded): " +
          "the account's request rate is shared by every client in it; the next pass tries again",
      );
      return true;
    });
    assert.deepEqual(sleeps, [500, 1000, 2000, 4000, 8000]);
    assert.equal(route53.commandCalls(ListResourceRecordSetsCommand).length, 6);
  });

  it("gives up on a network failure with a hint about the path to Route53", async () => {
    route53.on(GetChangeCommand).rejects(socketError("ENOTFOUND"));
    await assert.rejects(port.changeStatus("C1"), (e) => e instanceof Route53UnavailableError && e.code === "ENOTFOUND" && /AWS_ENDPOINT_URL/.test(e.message));
  });
});

describe("SdkRoute53 reports what cannot be retried, saying how to fix it", () => {
  const cases = [
    {
      name: "AccessDenied names the IAM action and the zone's ARN",
      call: (p: SdkRoute53) => p.changeRecords("Z1", [{ action: "UPSERT", record: { name: "x.example.com", type: "A", ttl: 60, values: ["192.0.2.1"] } }]),
      command: ChangeResourceRecordSetsCommand,
      error: serviceError("AccessDenied", 403, "User: arn:aws:sts::1:assumed-role/hostgate is not authorized to perform: route53:ChangeResourceRecordSets"),
      code: "AccessDenied",
      message:
        /^Route53 denied route53:ChangeResourceRecordSets on arn:aws:route53:::hostedzone\/Z1 \(AccessDenied: .*\): allow route53:ChangeResourceRecordSets on arn:aws:route53:::hostedzone\/Z1 in the IAM policy /,
    },
    {
      name: "AccessDenied on GetChange names the change ARN",
      call: (p: SdkRoute53) => p.changeStatus("C1"),
      command: GetChangeCommand,
      error: serviceError("AccessDenied", 403, "not authorized"),
      code: "AccessDenied",
      message: /allow route53:GetChange on arn:aws:route53:::change\/\*/,
    },
    {
      name: "NoSuchHostedZone says where the zone id comes from",
      call: (p: SdkRoute53) => p.getZone("Z404"),
      command: GetHostedZoneCommand,
      error: new NoSuchHostedZone({ $metadata: { httpStatusCode: 404 }, message: "No hosted zone found with ID: Z404" }),
      code: "NoSuchHostedZone",
      message: /^Route53 has no hosted zone Z404 .*spec\.dns\.zoneId.*account that owns the zone$/,
    },
    {
      name: "missing credentials say how to bind a role",
      call: (p: SdkRoute53) => p.listRecords("Z1"),
      command: ListResourceRecordSetsCommand,
      error: Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
      code: "CredentialsProviderError",
      message: /no usable AWS credentials .*IRSA/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      route53.on(c.command as any).rejects(c.error);
      await assert.rejects(c.call(port), (e) => e instanceof Route53UnavailableError && e.code === c.code && c.message.test(e.message));
      assert.equal(route53.commandCalls(c.command as any).length, 1, "no retry");
      assert.deepEqual(sleeps, []);
    });
  }
});

describe("defaultRoute53Client", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it("takes the region from the SDK's default chain", async () => {
    process.env.AWS_REGION = "ap-south-1";
    const client = await defaultRoute53Client();
    assert.equal(await client.config.region(), "ap-south-1");
    client.destroy();
  });

  it("falls back to us-east-1 when nothing names a region (Route53 is global)", async () => {
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = "/nonexistent/aws-config";
    process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-credentials";
    const client = await defaultRoute53Client();
    assert.equal(await client.config.region(), "us-east-1");
    client.destroy();
  });
});
