// This run's own suffix: on an emulator that outlives one run (AWS_ENDPOINT_URL),
// a second run must neither collide with the first's load balancer names nor
// take the first's certificates and records for its own (another owner id).
import { randomBytes } from "node:crypto";

export const RUN_ID = randomBytes(3).toString("hex");
