// What the phases of one admission request (mutation, then validation) may
// share: the CEL views of the request's objects, the results of shareable
// expressions (module-run.ts SharedResults) and the size verdict, for the
// object the last phase ended on. The validation phase of a request whose
// mutations patched nothing then starts where the mutation phase stopped,
// instead of converting the same object again.
//
// One scope per request (withRequestDeadline creates it). It is reused only
// for the very same objects (by identity) and request attributes; the
// request's objects must not be modified in place between phases, which
// decide() never does (a patch makes a new object).
import { RequestCost } from "./budget.ts";
import type { SharedBindings, SharedResults } from "./module-run.ts";
import type { AdmissionInput, Violation } from "./types.ts";

export interface PhaseState {
  input: AdmissionInput;
  /** The object the state is for: the input's, or the last patched one. */
  object: unknown;
  bindings: SharedBindings | undefined;
  results: SharedResults;
  measured: { object: unknown; tooLarge: Violation | undefined } | undefined;
}

export class RequestScope {
  #state: PhaseState | undefined;
  /** The cost units every policy of every phase of the request has spent (budget.ts maxRequestCost). */
  readonly cost = new RequestCost();

  /** The state a phase may start from: the last phase's, when it is for the same object and request. */
  stateFor(input: AdmissionInput): PhaseState | undefined {
    const state = this.#state;
    if (state === undefined || state.object !== input.object || !sameRequest(state.input, input)) return undefined;
    return state;
  }

  record(state: PhaseState): void {
    this.#state = state;
  }
}

/** Every attribute the `request` and `oldObject` bindings are built from. */
function sameRequest(a: AdmissionInput, b: AdmissionInput): boolean {
  return (
    a.oldObject === b.oldObject &&
    a.operation === b.operation &&
    a.namespace === b.namespace &&
    a.name === b.name &&
    a.kind === b.kind &&
    a.subResource === b.subResource &&
    a.userInfo === b.userInfo &&
    a.dryRun === b.dryRun
  );
}
