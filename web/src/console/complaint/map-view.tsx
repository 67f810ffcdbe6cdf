import { useEffect, useRef, useState } from 'preact/hooks';
import type { Complaint } from '../api.js';
import { useConsole } from '../context.js';
import { t } from '../strings.js';

/**
 * The complaint's point. The coordinates are always written out; the map (Leaflet, loaded only when a
 * complaint with a location is opened) appears when the portal is given a tile server.
 */
export function MapView({ location }: { location: Complaint['location'] }) {
  const { tileUrl, tileAttribution } = useConsole();
  const mapRef = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (!location || !tileUrl || !mapRef.current) return;
    let map: { remove(): void } | undefined;
    let cancelled = false;
    Promise.all([import('leaflet'), import('leaflet/dist/leaflet.css')])
      .then(([L]) => {
        if (cancelled || !mapRef.current) return;
        const point: [number, number] = [location.lat, location.lng];
        const m = L.map(mapRef.current, { scrollWheelZoom: false }).setView(point, 16);
        L.tileLayer(tileUrl, { maxZoom: 19, attribution: tileAttribution }).addTo(m);
        L.circleMarker(point, { radius: 8, color: '#b3261e', weight: 3 }).addTo(m);
        if (location.accuracyM) L.circle(point, { radius: location.accuracyM, weight: 1 }).addTo(m);
        map = m;
      })
      .catch(() => setFailed(true));
    return () => {
      cancelled = true;
      map?.remove();
    };
  }, [location?.lat, location?.lng, tileUrl]);

  if (!location) return <p class="muted">{t('complaint.noLocation')}</p>;
  const coords = `${location.lat.toFixed(6)}, ${location.lng.toFixed(6)}`;
  return (
    <div class="map-view">
      {tileUrl && !failed && <div class="map" ref={mapRef} role="img" aria-label={`Map of ${coords}`} />}
      <p>
        <span class="coords">{coords}</span>
        {location.accuracyM ? ` (± ${Math.round(location.accuracyM)} m)` : ''}
      </p>
    </div>
  );
}
