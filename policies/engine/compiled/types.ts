// The vocabulary of the closure compiler (see README.md in this folder).
import type { CelEnv } from "@bufbuild/cel";
import type { Expr } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";

export type { Expr };

/** The top-level variables of one evaluation, as the caller passes them. */
export type Bindings = Record<string, unknown>;

/** Comprehension variables of one evaluation, in slots numbered at compile time. */
export type Locals = unknown[];

/**
 * A compiled expression node. It returns the CEL value, or throws: a CelError
 * for a CEL error (what @bufbuild/cel would return as an error value), any
 * other exception for what @bufbuild/cel would let escape from its
 * interpreter (see runtime/errors.ts).
 */
export type Node = (bindings: Bindings, locals: Locals) => unknown;

export interface Compiled {
  run: Node;
  /**
   * True when the node is an identifier reached without any field or index
   * access, directly or as a branch of a conditional. @bufbuild/cel resolves
   * a string access on such a node as a possibly qualified name (`a['b']`
   * first tries a variable named `a.b`), which the fast path does not model.
   */
  bare: boolean;
  /** Set when the value is known at compile time (literals, folded lists and maps). */
  constant?: { value: unknown };
  /** For `type(x)` with the standard `type`: x's node and type() itself, so `type(x) == string` can test x directly. */
  typeOf?: { operand: Node; of: (value: unknown) => unknown };
  /** For an identifier naming a type: the type value it yields when no variable of that name is bound. */
  typeName?: unknown;
}

/**
 * An attribute chain of @bufbuild/cel's planner: an identifier or conditional
 * followed by field and index accesses, resolved as one unit. A missing
 * variable anywhere in it is reported once, with the chain's id, or makes
 * `has()` false.
 */
export interface Chain {
  /** The expression id @bufbuild/cel gives the chain's "unresolved attribute" error. */
  id: bigint;
  /** True inside the operand of has(): a missing variable makes has() false. */
  hasMode: boolean;
}

export interface Local {
  slot: number;
  /** Accumulators may hold an error value; iteration variables never do. */
  mayHoldError: boolean;
}

/** Lexical scope of comprehension variables: name -> slot. */
export type Scope = ReadonlyMap<string, Local>;

/** What the concern-specific compilers (access, calls, comprehensions...) need from the entry. */
export interface CompileContext {
  readonly env: CelEnv;
  compile(expr: Expr | undefined, scope: Scope, chain?: Chain): Compiled;
  /** A fresh slot in the evaluation's locals. */
  allocateSlot(): number;
  /** The slot that keeps a variable path read more than once in the expression (see paths.ts), else undefined. */
  pathSlot(key: string): number | undefined;
  /** Positions of the module's variables, when the caller gave them (see variables.ts). */
  readonly variableIndex: ReadonlyMap<string, number> | undefined;
}

/**
 * Thrown at compile time for a construct the fast path does not model; the
 * expression then runs on @bufbuild/cel's planner instead.
 */
export class Unsupported extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "Unsupported";
  }
}
