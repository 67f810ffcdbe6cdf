// Loads a component's module on first render (the map, the recorder), so the first screen stays small.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyComponent<P>(load: () => Promise<{ default: ComponentType<P> }>) {
  let loaded: ComponentType<P> | null = null;
  return function Lazy(props: P & { fallback?: preact.ComponentChildren }) {
    const [Component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Component) return;
      load()
        .then((m) => {
          loaded = m.default;
          setComponent(() => m.default);
        })
        .catch(() => setFailed(true));
    }, []);
    if (Component) return <Component {...props} />;
    return failed ? null : (props.fallback ?? null);
  };
}
