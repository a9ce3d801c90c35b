/**
 * The explorer page's script. `explorerMain` runs in the browser; pageScript() inlines its
 * source into explorer.js, so it must use nothing from outside its own body (no imports,
 * no module-level names). It reads the data that data.js puts on `window.EXPLORER_DATA`.
 */

/** What data.js holds (typed arrays as base64 of little-endian bytes). */
export interface ExplorerData {
  title: string;
  n: number;
  k: number;
  map: string;
  paths: string[];
  classNames: string[] | null;
  positions: string;
  labels: string | null;
  predicted: string | null;
  neighbors: string;
  scores: string;
  sprite: { thumb: number; cols: number; perSheet: number; sheets: string[] };
}

export function explorerMain(): void {
  const raw = (window as unknown as { EXPLORER_DATA: ExplorerData }).EXPLORER_DATA;
  const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  const pos = new Float32Array(bytes(raw.positions));
  const labels = raw.labels ? new Int32Array(bytes(raw.labels)) : null;
  const predicted = raw.predicted ? new Int32Array(bytes(raw.predicted)) : null;
  const nbr = new Int32Array(bytes(raw.neighbors));
  const scores = new Float32Array(bytes(raw.scores));
  const { n, k, sprite } = raw;
  const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];
  const colorOf = (i: number) => (labels ? (labels[i] < palette.length ? palette[labels[i]] : `hsl(${(labels[i] * 137.5) % 360} 60% 60%)`) : '#8ab4f8');
  const missed = (i: number) => !!(labels && predicted && labels[i] !== predicted[i]);
  const $ = (id: string) => document.getElementById(id)!;

  // sprite sheets load when first drawn from (60k images are 15 sheets of 2048²)
  const sheets: (HTMLImageElement | undefined)[] = sprite.sheets.map(() => undefined);
  const loading: Promise<void>[] = [];
  const sheetOf = (i: number) => {
    const s = Math.floor(i / sprite.perSheet);
    if (!sheets[s]) {
      const img = Object.assign(new Image(), { src: sprite.sheets[s] });
      loading.push(img.decode().then(() => draw(), () => console.error(`cannot load ${sprite.sheets[s]}`)));
      sheets[s] = img;
    }
    return sheets[s]!;
  };
  const canvas = $('map') as HTMLCanvasElement;
  const ctx = canvas.getContext('2d')!;
  const view = { scale: 1, x: 0, y: 0 };
  let selected = -1;
  let matches: Set<number> | null = null;

  function fit() {
    const r = canvas.getBoundingClientRect();
    canvas.width = Math.round(r.width * devicePixelRatio);
    canvas.height = Math.round(r.height * devicePixelRatio);
    const side = Math.min(r.width, r.height) * 0.92;
    view.scale = side;
    view.x = (r.width - side) / 2;
    view.y = (r.height - side) / 2;
  }
  /** CSS pixels inside the canvas of point i. */
  const screenOf = (i: number): [number, number] => [view.x + pos[2 * i] * view.scale, view.y + pos[2 * i + 1] * view.scale];
  const thumbSide = () => Math.max(6, Math.min(64, view.scale / Math.sqrt(n) * 1.2));

  function draw() {
    const w = canvas.width / devicePixelRatio;
    const h = canvas.height / devicePixelRatio;
    ctx.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
    ctx.fillStyle = '#111';
    ctx.fillRect(0, 0, w, h);
    const side = thumbSide();
    const visible: number[] = [];
    for (let i = 0; i < n; i++) {
      const [x, y] = screenOf(i);
      if (x > -side && y > -side && x < w + side && y < h + side) visible.push(i);
    }
    const thumbs = visible.length <= 3000 && side >= 8;
    for (const i of visible) {
      const [x, y] = screenOf(i);
      ctx.globalAlpha = matches && !matches.has(i) ? 0.12 : 1;
      const sheet = thumbs ? sheetOf(i) : undefined;
      if (sheet && sheet.complete && sheet.naturalWidth > 0) {
        const j = i % sprite.perSheet;
        ctx.drawImage(sheet, (j % sprite.cols) * sprite.thumb, Math.floor(j / sprite.cols) * sprite.thumb, sprite.thumb, sprite.thumb, x - side / 2, y - side / 2, side, side);
        ctx.strokeStyle = colorOf(i);
        ctx.lineWidth = 2;
        ctx.strokeRect(x - side / 2, y - side / 2, side, side);
      } else {
        ctx.fillStyle = colorOf(i);
        ctx.fillRect(x - 2, y - 2, 4, 4);
      }
      if (missed(i)) {
        // kNN's miss: a red corner, so the class colour and the image stay visible
        const half = (thumbs ? side : 4) / 2;
        const m = Math.max(5, half * 0.7);
        ctx.fillStyle = '#ff3b30';
        ctx.beginPath();
        ctx.moveTo(x + half - m, y - half);
        ctx.lineTo(x + half, y - half);
        ctx.lineTo(x + half, y - half + m);
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
    if (selected >= 0) {
      const mark = (i: number, color: string) => {
        const [x, y] = screenOf(i);
        ctx.strokeStyle = color;
        ctx.lineWidth = 3;
        ctx.strokeRect(x - side / 2 - 3, y - side / 2 - 3, side + 6, side + 6);
      };
      for (let r = 0; r < k; r++) mark(nbr[selected * k + r], '#ffd60a');
      mark(selected, '#ffffff');
    }
    canvas.dataset.drawn = String(visible.length);
  }

  const thumbStyle = (i: number) => {
    const j = i % sprite.perSheet;
    const t = sprite.thumb;
    return `background-image:url("${sprite.sheets[Math.floor(i / sprite.perSheet)]}");background-position:-${(j % sprite.cols) * t}px -${Math.floor(j / sprite.cols) * t}px`;
  };
  const classText = (i: number) => (labels && raw.classNames ? raw.classNames[labels[i]] : '');
  const item = (i: number, extra: string) => {
    const li = document.createElement('li');
    li.dataset.index = String(i);
    li.innerHTML = `<span class="thumb" style='${thumbStyle(i)}'></span><span class="name"></span><span class="meta"></span>`;
    li.querySelector('.name')!.textContent = raw.paths[i];
    li.querySelector('.meta')!.textContent = [classText(i), extra].filter(Boolean).join(' · ');
    li.addEventListener('click', () => select(i));
    return li;
  };

  function select(i: number) {
    selected = i;
    const info = $('selected');
    info.replaceChildren(item(i, missed(i) && raw.classNames && predicted ? `kNN says ${raw.classNames[predicted[i]]}` : ''));
    const list = $('neighbors');
    list.replaceChildren();
    for (let r = 0; r < k; r++) {
      const j = nbr[i * k + r];
      const li = item(j, `cos ${scores[i * k + r].toFixed(4)}`);
      li.dataset.score = String(scores[i * k + r]);
      list.append(li);
    }
    draw();
  }

  canvas.addEventListener('click', (e) => {
    if (dragged) return;
    const r = canvas.getBoundingClientRect();
    const mx = e.clientX - r.left;
    const my = e.clientY - r.top;
    let best = -1;
    let bestD = Math.max(8, thumbSide() / 2) ** 2;
    for (let i = 0; i < n; i++) {
      const [x, y] = screenOf(i);
      const d = (x - mx) ** 2 + (y - my) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    }
    if (best >= 0) select(best);
  });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect();
    const f = Math.exp(-e.deltaY * 0.0015);
    const mx = e.clientX - r.left;
    const my = e.clientY - r.top;
    view.x = mx - (mx - view.x) * f;
    view.y = my - (my - view.y) * f;
    view.scale *= f;
    draw();
  }, { passive: false });
  let drag: { x: number; y: number } | null = null;
  let dragged = false;
  canvas.addEventListener('mousedown', (e) => {
    drag = { x: e.clientX, y: e.clientY };
    dragged = false;
  });
  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3) dragged = true;
    if (!dragged) return;
    view.x += e.clientX - drag.x;
    view.y += e.clientY - drag.y;
    drag = { x: e.clientX, y: e.clientY };
    draw();
  });
  window.addEventListener('mouseup', () => (drag = null));

  const search = $('search') as HTMLInputElement;
  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    matches = q ? new Set(raw.paths.flatMap((p, i) => (p.toLowerCase().includes(q) ? [i] : []))) : null;
    $('found').textContent = matches ? `${matches.size} match${matches.size === 1 ? '' : 'es'}` : '';
    draw();
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && matches && matches.size > 0) select(Math.min(...matches));
  });

  // header: what is shown, the legend and kNN's score when labelled
  $('title').textContent = raw.title;
  let summary = `${n} images · ${raw.map.toUpperCase()} · ${k} neighbours (cosine)`;
  if (labels && predicted && raw.classNames) {
    let hits = 0;
    for (let i = 0; i < n; i++) if (labels[i] === predicted[i]) hits++;
    summary += ` · kNN (leave-one-out, k = 20) ${((100 * hits) / n).toFixed(1)} %, misses: red corner`;
    const legend = $('legend');
    raw.classNames.forEach((name, c) => {
      const span = document.createElement('span');
      span.innerHTML = `<i style="background:${c < palette.length ? palette[c] : `hsl(${(c * 137.5) % 360} 60% 60%)`}"></i>`;
      span.append(name);
      legend.append(span);
    });
  }
  $('summary').textContent = summary;
  window.addEventListener('resize', () => {
    fit();
    draw();
  });
  fit();
  draw();
  // for scripts and tests: where point i is on the page, and the current selection
  (window as unknown as { explorer: unknown }).explorer = {
    n,
    pointOnPage(i: number) {
      const r = canvas.getBoundingClientRect();
      const [x, y] = screenOf(i);
      return [r.left + x, r.top + y];
    },
    selected: () => selected,
    /** Resolves when every sprite sheet asked for so far has loaded and been drawn. */
    sheetsLoaded: () => Promise.all(loading).then(() => loading.length),
  };
}

/** explorer.js: the function above, run once the page has loaded. */
export function pageScript(): string {
  return `"use strict";\n(${explorerMain.toString()})();\n`;
}

export function indexHtml(title: string): string {
  const esc = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc} — simclr explore</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font: 13px system-ui, sans-serif; background: #181818; color: #ddd; display: flex; flex-direction: column; height: 100vh; }
  header { padding: 8px 12px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; border-bottom: 1px solid #333; }
  header h1 { font-size: 15px; margin: 0; }
  #summary, #found { color: #999; }
  #legend span { margin-right: 10px; white-space: nowrap; }
  #legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
  input { background: #222; color: #eee; border: 1px solid #444; padding: 4px 8px; border-radius: 4px; width: 220px; }
  main { flex: 1; display: flex; min-height: 0; }
  #map { flex: 1 1 0; width: 0; height: 100%; display: block; cursor: crosshair; } /* basis 0: its pixel size never feeds back into the layout */
  aside { width: 320px; overflow-y: auto; border-left: 1px solid #333; padding: 8px; }
  aside h2 { font-size: 13px; margin: 8px 0 4px; color: #aaa; }
  ol, ul { list-style: none; margin: 0; padding: 0; }
  li { display: grid; grid-template-columns: 36px 1fr; grid-template-rows: auto auto; column-gap: 8px; padding: 3px; cursor: pointer; border-radius: 4px; }
  li:hover { background: #262626; }
  .thumb { grid-row: span 2; width: 32px; height: 32px; image-rendering: pixelated; border: 1px solid #444; }
  .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .meta { color: #999; font-size: 12px; }
</style>
</head>
<body>
<header><h1 id="title"></h1><input id="search" type="search" placeholder="search file names (Enter: select first)"><span id="found"></span><span id="summary"></span><span id="legend"></span></header>
<main><canvas id="map"></canvas><aside><h2>selected</h2><ul id="selected"><li style="cursor:default">click an image on the map</li></ul><h2>nearest neighbours</h2><ol id="neighbors"></ol></aside></main>
<script src="data.js"></script>
<script src="explorer.js"></script>
</body>
</html>
`;
}
