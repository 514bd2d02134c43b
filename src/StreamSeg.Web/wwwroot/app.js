// StreamSeg web view: one MJPEG <img> per stream, figures polled from /api/streams every second.
// Every value from the server is set with textContent, never as HTML.
'use strict';

const streams = new Map();

function fmt(value, digits) {
  return typeof value === 'number' && isFinite(value) ? value.toFixed(digits) : '–';
}

function set(root, field, text) {
  root.querySelector(`[data-field="${field}"]`).textContent = text;
}

function addStream(s) {
  const node = document.getElementById('stream-template').content.firstElementChild.cloneNode(true);
  node.id = `stream-${s.index}`;
  node.querySelector('.title').textContent = `#${s.index} ${s.id}`;
  const shown = node.querySelector('[data-field="shown"]');
  shown.id = `frames-${s.index}`;
  const img = node.querySelector('.video');
  img.id = `video-${s.index}`;
  img.dataset.frames = '0';
  // With multipart/x-mixed-replace, Chromium fires load for every JPEG part, so this counts frames shown.
  img.addEventListener('load', () => {
    const n = Number(img.dataset.frames) + 1;
    img.dataset.frames = String(n);
    shown.textContent = String(n);
  });
  img.addEventListener('error', () => { img.dataset.errors = String(Number(img.dataset.errors || 0) + 1); });
  img.src = `/streams/${s.index}/mjpeg`;
  document.getElementById('streams').appendChild(node);
  streams.set(s.index, node);
  return node;
}

function updateStream(s) {
  const node = streams.get(s.index) || addStream(s);
  const health = node.querySelector('[data-field="health"]');
  health.textContent = s.health;
  health.className = s.health;
  set(node, 'fps', fmt(s.fps, 1));
  set(node, 'latency', `${fmt(s.latency_p50_ms, 1)} / ${fmt(s.latency_p95_ms, 1)} ms`);
  set(node, 'drops', String(s.drops));
  set(node, 'tracks', String(s.active_tracks));
  set(node, 'frame', String(s.frame_index));
  set(node, 'size', `${s.width}×${s.height}`);
  const head = node.querySelector('.stages thead tr');
  const body = node.querySelector('.stages tbody tr');
  head.replaceChildren();
  body.replaceChildren();
  for (const [stage, ms] of Object.entries(s.stages_ms)) {
    const th = document.createElement('th');
    th.textContent = stage;
    head.appendChild(th);
    const td = document.createElement('td');
    td.textContent = `${fmt(ms, 1)} ms`;
    td.dataset.stage = stage;
    body.appendChild(td);
  }
  node.dataset.updated = String(Date.now());
}

async function poll() {
  try {
    const response = await fetch('/api/streams', { cache: 'no-store' });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    const state = await response.json();
    document.getElementById('provider').textContent = state.provider;
    document.getElementById('fps').textContent = fmt(state.fps, 1);
    document.getElementById('latency').textContent = `${fmt(state.latency_p50_ms, 1)} / ${fmt(state.latency_p95_ms, 1)} ms`;
    document.getElementById('frames').textContent = `${state.frames_in} / ${state.frames_out}`;
    document.getElementById('dropped').textContent = String(state.dropped);
    document.getElementById('state').textContent = state.completed ? 'finished' : 'running';
    for (const s of state.streams) {
      updateStream(s);
    }
    document.body.dataset.polls = String(Number(document.body.dataset.polls) + 1);
  } catch (e) {
    document.getElementById('state').textContent = `unreachable (${e.message})`;
  }
}

poll();
setInterval(poll, 1000);
