/**
 * A service whose module is imported, and the service built, by the first call to one of its methods. The
 * composition root hands these out for services that only some routes use, so a Lambda function does not
 * evaluate (at init) the schemas and helpers of routes it does not serve. Only services whose methods all
 * return promises can be deferred: a caller cannot tell the difference. A failed build is retried by the
 * next call.
 */
type AsyncMethods<T> = { [K in keyof T]: (...args: never[]) => Promise<unknown> };

export function deferred<T extends AsyncMethods<T>>(
  build: () => Promise<T>,
  methods: { readonly [K in keyof T]-?: true },
): T {
  let service: Promise<T> | undefined;
  const load = () => {
    service ??= build().catch((error: unknown) => {
      service = undefined;
      throw error;
    });
    return service;
  };
  const proxy = {} as Record<keyof T, unknown>;
  for (const name of Object.keys(methods) as (keyof T)[]) {
    proxy[name] = async (...args: unknown[]) => {
      const target = await load();
      return (target[name] as unknown as (...a: unknown[]) => Promise<unknown>).apply(target, args);
    };
  }
  return proxy as T;
}
