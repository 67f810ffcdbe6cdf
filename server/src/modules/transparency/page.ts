import type { Figures } from '../dashboards/service.js';
import { escapeXml as esc } from '../open311/xml.js';

type Row = Figures & { key: { name: string } };
interface LeagueRow {
  rank: number | null;
  key: { name: string };
  score: number | null;
  confirmedSatisfaction: number | null;
  timeliness: number | null;
}

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 1000) / 10}%`);
const hours = (x: number | null) =>
  x === null ? '–' : x < 48 ? `${x} h` : `${Math.round((x / 24) * 10) / 10} days`;
const n = (x: number | null) => (x === null ? '–' : x.toLocaleString('en-US'));

const COLUMNS: [string, (f: Figures) => string][] = [
  ['Received', (f) => n(f.received)],
  ['Open', (f) => n(f.open)],
  ['Overdue', (f) => n(f.overdue)],
  ['Resolved', (f) => n(f.resolved)],
  ['Reopened', (f) => n(f.reopened)],
  ['Closed, satisfied', (f) => n(f.closedSatisfied)],
  ['Closed, no feedback', (f) => n(f.closedNoFeedback)],
  ['Median time to resolve', (f) => hours(f.medianResolutionHours)],
  ['90% resolved within', (f) => hours(f.p90ResolutionHours)],
  ['Within deadline', (f) => pct(f.slaCompliance)],
  ['Satisfied', (f) => pct(f.satisfactionRate)],
];

function table(caption: string, rows: Row[]): string {
  const head = `<tr><th scope="col">${esc(caption)}</th>${COLUMNS.map(([c]) => `<th scope="col">${c}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr><th scope="row">${esc(r.key.name)}</th>${COLUMNS.map(([, f]) => `<td>${f(r)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<div class="scroll"><table><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

function league(caption: string, rows: LeagueRow[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr><td>${r.rank ?? '–'}</td><th scope="row">${esc(r.key.name)}</th><td>${r.score ?? '–'}</td><td>${pct(r.confirmedSatisfaction)}</td><td>${pct(r.timeliness)}</td></tr>`,
    )
    .join('');
  return `<div class="scroll"><table><caption>${esc(caption)}</caption><thead><tr><th scope="col">Rank</th><th scope="col">Name</th><th scope="col">Score</th><th scope="col">Confirmed satisfaction</th><th scope="col">Timeliness</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The public page: figures as HTML tables (readable without script), the map drawn by /public/map.js. */
export function renderPublicPage(data: {
  from: string;
  to: string;
  province: Figures;
  districts: Row[];
  departments: Row[];
  league: { formula: string; departments: LeagueRow[]; districts: LeagueRow[] };
}): string {
  const p = data.province;
  const cards = COLUMNS.map(
    ([c, f]) => `<div class="card"><div class="v">${f(p)}</div><div class="k">${c}</div></div>`,
  ).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Citizen Portal: how complaints are handled</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header,main{max-width:72rem;margin:auto;padding:1rem}
header{border-bottom:1px solid #ddd}
h1{font-size:1.6rem;margin:.2rem 0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.6rem}
.card{background:#fff;border:1px solid #ddd;border-radius:.4rem;padding:.6rem}
.card .v{font-size:1.4rem;font-weight:600}.card .k{color:#555;font-size:.9rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;background:#fff;margin:.5rem 0 1.5rem;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:right}th[scope=row],caption{text-align:left}
caption{font-weight:600;padding:.3rem 0}
#map{width:100%;max-width:48rem;background:#fff;border:1px solid #ddd}
.formula{background:#fff;border-left:4px solid #2b6;padding:.5rem 1rem}
</style>
</head>
<body>
<header><h1>How complaints are handled</h1>
<p>Complaints filed from ${esc(data.from)} to ${esc(data.to)} (open and overdue: now). Figures only: no names, no citizens' words, no photos.</p></header>
<main>
<h2>The province</h2>
<div class="cards">${cards}</div>
<h2>League table</h2>
<p class="formula">${esc(data.league.formula)}</p>
${league('Departments', data.league.departments)}
${league('Districts', data.league.districts)}
<h2>Districts</h2>
${table('District', data.districts)}
<h2>Departments</h2>
${table('Department', data.departments)}
<h2>Map of the last 30 days</h2>
<p>Each dot is a complaint, its place rounded to about 100 metres; grey boxes are the districts.</p>
<svg id="map" role="img" aria-label="Map of recent complaints" viewBox="0 0 800 600"></svg>
<p id="map-status" aria-live="polite"></p>
</main>
<script src="/public/map.js" defer></script>
</body>
</html>`;
}

/** Draws district boxes and complaint dots as SVG from the public JSON API; no tiles, no libraries. */
export const MAP_SCRIPT = `(function(){
var svg=document.getElementById('map'),status=document.getElementById('map-status'),NS='http://www.w3.org/2000/svg';
var colours={submitted:'#d33',assigned:'#e80',in_progress:'#e80',reopened:'#d33',resolved:'#2b6',closed:'#2b6',rejected:'#888'};
function get(u){return fetch(u,{headers:{accept:'application/json'}}).then(function(r){if(!r.ok)throw new Error(r.status);return r.json();});}
Promise.all([get('/api/v1/public/districts'),get('/api/v1/public/map')]).then(function(res){
var d=res[0],p=res[1];var a=1/0,b=1/0,c=-1/0,e=-1/0;
d.forEach(function(x){a=Math.min(a,x.box.minLat);b=Math.min(b,x.box.minLng);c=Math.max(c,x.box.maxLat);e=Math.max(e,x.box.maxLng);});
function X(lng){return (lng-b)/(e-b)*780+10;}function Y(lat){return 590-(lat-a)/(c-a)*580;}
d.forEach(function(x){var r=document.createElementNS(NS,'rect');r.setAttribute('x',X(x.box.minLng));r.setAttribute('y',Y(x.box.maxLat));
r.setAttribute('width',X(x.box.maxLng)-X(x.box.minLng));r.setAttribute('height',Y(x.box.minLat)-Y(x.box.maxLat));
r.setAttribute('fill','#f2f2f2');r.setAttribute('stroke','#bbb');var t=document.createElementNS(NS,'title');t.textContent=x.name;r.appendChild(t);svg.appendChild(r);});
p.forEach(function(x){var k=document.createElementNS(NS,'circle');k.setAttribute('cx',X(x.lng));k.setAttribute('cy',Y(x.lat));k.setAttribute('r',2.5);
k.setAttribute('fill',colours[x.status]||'#333');k.setAttribute('fill-opacity','0.7');var t=document.createElementNS(NS,'title');
t.textContent=(x.category?x.category.name:'')+' \\u2013 '+x.status.replace('_',' ')+', filed '+x.filedOn;k.appendChild(t);svg.appendChild(k);});
status.textContent=p.length+' complaints shown.';
}).catch(function(){status.textContent='The map could not be loaded.';});
})();`;
