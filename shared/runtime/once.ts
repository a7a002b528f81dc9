// Its own module, so a composition root that needs only this does not bundle context.ts's imports.

/** One instance per context of what several features use (a repository), built by the first to ask. */
export type Once = <T>(key: string, build: () => T) => T;

/** A fresh `Once`: each key is built by its first caller and shared from then on. */
export function createOnce(): Once {
  const built = new Map<string, unknown>();
  return (key, build) => {
    if (!built.has(key)) built.set(key, build());
    return built.get(key) as ReturnType<typeof build>;
  };
}
