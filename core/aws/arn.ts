// The parts of an ARN hostgate reads: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.

/** Its partition, region and account; undefined when it has too few parts to be an ARN. */
export function arnParts(arn: string): { partition: string; region: string; account: string } | undefined {
  const parts = arn.split(":");
  return parts.length >= 6 ? { partition: parts[1]!, region: parts[3]!, account: parts[4]! } : undefined;
}
