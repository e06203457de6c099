// `variables.<name>` by position. A module's variables are known when its
// expressions compile (the loader passes their positions), so the compiled
// form of `variables.name` can read the engine's variables view by position
// instead of by name, when the bindings hold the view of that very module
// (checked by the identity of its name table); anything else is read by
// name, as always.

/** The engine's `variables` view (module-run.ts) as the fast path reads it. */
export abstract class IndexedVariables {
  /** The name -> position table positions refer to. */
  abstract readonly names: ReadonlyMap<string, number>;
  /** What `get(name)` answers for the name at this position. */
  abstract at(index: number): unknown;
}
