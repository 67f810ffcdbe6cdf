import { useEffect, useState } from 'preact/hooks';

// Hash routes (/console#/complaints/12) so that any path the server answers with the console page works,
// and a reload keeps the place.
export type Route = { name: 'queue'; complaintId: number | null } | { name: 'admin'; screen: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const complaint = /^\/complaints\/(\d+)$/.exec(path);
  if (complaint) return { name: 'queue', complaintId: Number(complaint[1]) };
  const admin = /^\/admin\/([a-z-]+)$/.exec(path);
  if (admin) return { name: 'admin', screen: admin[1]! };
  return { name: 'queue', complaintId: null };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function go(path: string) {
  location.hash = path;
}

export const complaintPath = (id: number) => `#/complaints/${id}`;
