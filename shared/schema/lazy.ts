/**
 * A schema built the first time anything reads it. An API function imports the schemas of all its routes
 * (and the shared ones they are made of), but a request validates with a few: built at load, every one of
 * them was paid for by each cold start (zod's classic schemas are objects with dozens of closures each,
 * and a chain such as `.int().min(1).max(100)` builds one per step). Wrapped, a module's schemas cost
 * nothing until a route parses with one (or another schema is built from it), and then only that one is
 * built.
 *
 * The stand-in forwards every read to the built schema, so it can be used wherever the schema can: parsed
 * with, extended, put in another schema's shape, checked with `instanceof`. It is not the same object,
 * though: a registry keyed by schema (zod's `.meta` and `.describe`, the OpenAPI names) must be read
 * through `builtSchema`.
 */
const BUILT = Symbol('built schema');

export function lazySchema<T extends object>(build: () => T): T {
  let schema: T | undefined;
  const built = (): T => {
    schema ??= build();
    return schema;
  };
  return new Proxy({} as T, {
    get: (_, key) => (key === BUILT ? built() : Reflect.get(built(), key)),
    has: (_, key) => Reflect.has(built(), key),
    set: (_, key, value) => Reflect.set(built(), key, value),
    ownKeys: () => Reflect.ownKeys(built()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(built(), key);
      // A proxy may not report a property as non-configurable when its own (empty) target lacks it.
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(built()),
  });
}

/** The schema itself: the one a lazy stand-in builds, or the given one when it is not lazy. */
export function builtSchema<T extends object>(schema: T): T {
  return ((schema as Record<symbol, unknown>)[BUILT] as T | undefined) ?? schema;
}
