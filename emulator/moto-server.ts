// Where the AWS emulator is: AWS_ENDPOINT_URL when set (moto, LocalStack or
// any endpoint speaking the AWS wire protocols), else a moto_server this run
// starts on a free loopback port and stops at the end. Dummy credentials and
// us-east-1 go into the environment, so the SDK's default chain (what
// `hostgate serve` uses) finds them.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { freePort } from "../webhook/testing/http.ts";

/** Exit code when no emulator can be had: not a failed conformance run, a missing tool. */
export const EXIT_NO_EMULATOR = 2;

/** Seconds moto waits before a DNS-validated ACM certificate turns ISSUED (its default is 60). */
export const ACM_VALIDATION_WAIT_SECONDS = 3;

export interface Emulator {
  endpoint: string;
  /** What it is, for the report. */
  description: string;
  stop(): Promise<void>;
}

export class NoEmulatorError extends Error {}

export function useDummyCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID ??= "testing";
  process.env.AWS_SECRET_ACCESS_KEY ??= "testing";
  process.env.AWS_REGION ??= "us-east-1";
  // No profile or IMDS lookups: the emulator needs none and they would only slow the run.
  delete process.env.AWS_PROFILE;
  process.env.AWS_EC2_METADATA_DISABLED = "true";
}

export async function emulator(): Promise<Emulator> {
  const given = process.env.AWS_ENDPOINT_URL;
  if (given !== undefined && given !== "") return { endpoint: given, description: `AWS_ENDPOINT_URL=${given}`, stop: async () => {} };
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, MOTO_ACM_VALIDATION_WAIT: String(ACM_VALIDATION_WAIT_SECONDS) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const stderr: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 200) stderr.shift();
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  try {
    await spawned;
  } catch (error) {
    throw new NoEmulatorError(
      `could not start moto_server (${(error as Error).message}): install it with \`pip install 'moto[server]'\` (moto 5), ` +
        "or set AWS_ENDPOINT_URL to an AWS emulator you run yourself (moto, LocalStack)",
    );
  }
  process.env.AWS_ENDPOINT_URL = endpoint;
  const stop = () => stopChild(child);
  try {
    await untilAnswering(endpoint, child, stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, description: `moto_server started on ${endpoint} (MOTO_ACM_VALIDATION_WAIT=${ACM_VALIDATION_WAIT_SECONDS})`, stop };
}

async function untilAnswering(endpoint: string, child: ChildProcess, stderr: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode} before answering: ${stderr.join("").slice(-500)}`);
    try {
      // moto's own reset endpoint answers once the server is up.
      const response = await fetch(`${endpoint}/moto-api/`);
      await response.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr.join("").slice(-500)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
