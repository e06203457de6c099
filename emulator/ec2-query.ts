// The few EC2 calls an ALB needs first (a VPC and two subnets), sent as EC2's
// Query protocol signed with SigV4 by hand: the project depends on no EC2
// client (hostgate itself never calls EC2), and the conformance run must use
// only what package.json already installs.
import { createHash, createHmac } from "node:crypto";

const EC2_API_VERSION = "2016-11-15";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const hmac = (key: Buffer | string, text: string) => createHmac("sha256", key).update(text).digest();

/** Sends one EC2 action; returns the response XML, or throws with EC2's error text. */
export async function ec2Call(endpoint: string, action: string, parameters: Record<string, string>): Promise<string> {
  const region = process.env.AWS_REGION ?? "us-east-1";
  const accessKey = process.env.AWS_ACCESS_KEY_ID ?? "";
  const secretKey = process.env.AWS_SECRET_ACCESS_KEY ?? "";
  const body = new URLSearchParams({ Action: action, Version: EC2_API_VERSION, ...parameters }).toString();
  const url = new URL(endpoint);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const contentType = "application/x-www-form-urlencoded; charset=utf-8";
  const signedHeaders = "content-type;host;x-amz-date";
  const canonical = [
    "POST",
    url.pathname || "/",
    "",
    `content-type:${contentType}`,
    `host:${url.host}`,
    `x-amz-date:${amzDate}`,
    "",
    signedHeaders,
    sha256(body),
  ];
  const scope = `${day}/${region}/ec2/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical.join("\n"))].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, day), region), "ec2"), "aws4_request");
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": contentType,
      "x-amz-date": amzDate,
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`EC2 ${action} answered ${response.status}: ${text.slice(0, 500)}`);
  return text;
}

/** The text of the first `<tag>` element in an EC2 response. */
export function xmlValue(xml: string, tag: string): string {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (match === null) throw new Error(`no <${tag}> in the EC2 response: ${xml.slice(0, 300)}`);
  return match[1];
}

/** A VPC with one subnet in each of two zones (an ALB needs two). */
export async function vpcWithSubnets(endpoint: string): Promise<{ vpcId: string; subnetIds: string[] }> {
  const region = process.env.AWS_REGION ?? "us-east-1";
  const vpcId = xmlValue(await ec2Call(endpoint, "CreateVpc", { CidrBlock: "10.42.0.0/16" }), "vpcId");
  const subnetIds: string[] = [];
  for (const [index, zone] of ["a", "b"].entries()) {
    const xml = await ec2Call(endpoint, "CreateSubnet", { VpcId: vpcId, CidrBlock: `10.42.${index}.0/24`, AvailabilityZone: `${region}${zone}` });
    subnetIds.push(xmlValue(xml, "subnetId"));
  }
  return { vpcId, subnetIds };
}
