// `hostgate serve` as a child process, for the tests that run it for real:
// its output collected as it comes, waiting for a line of it, and the review
// its start-up banner prints ready to send.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { postJson } from "../webhook/testing/http.ts";

export interface ServeChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit code (null after a signal). */
  exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in stdout; fails after 20 s, or at once if the process ended. */
  waitFor(pattern: RegExp, what: string): Promise<RegExpExecArray>;
  /** Sends the review the banner's curl line prints, over HTTPS with the banner's CA; the response's `allowed`. */
  postBannerReview(): Promise<boolean>;
}

/** `serve` in local mode on free ports: the state files in `stateDir`, a self-managed CA in `tlsDir`. */
export function localServeArgs(stateDir: string, tlsDir: string): string[] {
  return ["--state", stateDir, "--tls-dir", tlsDir, "--listen", "127.0.0.1:0", "--health-listen", "127.0.0.1:0"];
}

export function startServe(entry: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ServeChild {
  const child = spawn(process.execPath, [entry, "serve", ...args], { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, what: string): Promise<RegExpExecArray> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const match = pattern.exec(stdout);
      if (match !== null) return match;
      assert.ok(child.exitCode === null && Date.now() < deadline, `no ${what} within 20 s (exit ${child.exitCode}); stdout:\n${stdout}\nstderr:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const postBannerReview = async (): Promise<boolean> => {
    const curl = await waitFor(/curl -sS --cacert (\S+) -H 'Content-Type: application\/json' (\S+) -d '(.+)'/, "banner");
    const answer = JSON.parse((await postJson(curl[2]!, curl[3]!, readFileSync(curl[1]!, "utf8"))).text) as { response: { allowed: boolean } };
    return answer.response.allowed;
  };
  return { child, stdout: () => stdout, stderr: () => stderr, exited, waitFor, postBannerReview };
}
