// The location map: Leaflet with one draggable pin, loaded only on the location step. The tile server
// comes from the portal's settings; without tiles the step still shows the coordinates and the district.
import 'leaflet/dist/leaflet.css';
import L from 'leaflet';
import { useEffect, useRef } from 'preact/hooks';

export interface MapProps {
  lat: number;
  lng: number;
  tileUrl: string;
  attribution: string;
  label: string;
  onMove(lat: number, lng: number): void;
}

const pin = L.divIcon({
  className: 'map-pin',
  html: '<span></span>',
  iconSize: [28, 40],
  iconAnchor: [14, 40],
});

export default function PinMap(props: MapProps) {
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const marker = useRef<L.Marker | null>(null);
  const onMove = useRef(props.onMove);
  onMove.current = props.onMove;

  useEffect(() => {
    if (!box.current) return;
    const m = L.map(box.current, { zoomControl: true, attributionControl: true }).setView(
      [props.lat, props.lng],
      17,
    );
    L.tileLayer(props.tileUrl, { maxZoom: 19, attribution: props.attribution }).addTo(m);
    const mk = L.marker([props.lat, props.lng], {
      draggable: true,
      icon: pin,
      title: props.label,
      keyboard: true,
    });
    mk.addTo(m);
    mk.on('dragend', () => {
      const at = mk.getLatLng();
      onMove.current(at.lat, at.lng);
    });
    m.on('click', (event: L.LeafletMouseEvent) => {
      mk.setLatLng(event.latlng);
      onMove.current(event.latlng.lat, event.latlng.lng);
    });
    map.current = m;
    marker.current = mk;
    return () => m.remove();
  }, [props.tileUrl]);

  useEffect(() => {
    const at = marker.current?.getLatLng();
    if (at && (Math.abs(at.lat - props.lat) > 1e-7 || Math.abs(at.lng - props.lng) > 1e-7)) {
      marker.current!.setLatLng([props.lat, props.lng]);
      map.current?.panTo([props.lat, props.lng]);
    }
  }, [props.lat, props.lng]);

  return <div class="pin-map" ref={box} role="application" aria-label={props.label} dir="ltr" />;
}
