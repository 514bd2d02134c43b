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

const CRLF2 = new Uint8Array([13, 10, 13, 10]);

function indexOf(data, pattern, from) {
  outer: for (let i = from; i <= data.length - pattern.length; i++) {
    for (let j = 0; j < pattern.length; j++) {
      if (data[i + j] !== pattern[j]) {
        continue outer;
      }
    }
    return i;
  }
  return -1;
}

// Reads /streams/{index}/mjpeg with fetch and shows each JPEG part in the <img> through a blob URL.
// Chromium fires an <img>'s load event only for the first part of a multipart/x-mixed-replace response,
// so reading the parts here is what lets the page count the frames it receives (data-frames, #frames-{index}).
async function playMjpeg(index, img, shown) {
  const url = `/streams/${index}/mjpeg`;
  if (!window.ReadableStream || !window.TextDecoder) {
    img.src = url; // Old browser: native MJPEG, no frame count.
    return;
  }
  let current = null;
  img.addEventListener('load', () => {
    const n = Number(img.dataset.shown || 0) + 1;
    img.dataset.shown = String(n);
    shown.textContent = String(n);
  });
  for (;;) {
    try {
      const response = await fetch(url, { cache: 'no-store' });
      if (!response.ok || !response.body) {
        throw new Error(`HTTP ${response.status}`);
      }
      const reader = response.body.getReader();
      let data = new Uint8Array(0);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        const joined = new Uint8Array(data.length + value.length);
        joined.set(data);
        joined.set(value, data.length);
        data = joined;
        // A part is: headers, blank line, Content-Length bytes of JPEG, then the next boundary.
        for (;;) {
          const headerEnd = indexOf(data, CRLF2, 0);
          if (headerEnd < 0) {
            break;
          }
          const headers = new TextDecoder('ascii').decode(data.subarray(0, headerEnd));
          const match = /content-length:\s*(\d+)/i.exec(headers);
          if (!match) {
            data = data.subarray(headerEnd + 4); // the opening boundary line
            continue;
          }
          const start = headerEnd + 4;
          const end = start + Number(match[1]);
          if (data.length < end) {
            break;
          }
          const jpeg = new Blob([data.slice(start, end)], { type: 'image/jpeg' });
          data = data.subarray(end);
          const previous = current;
          current = URL.createObjectURL(jpeg);
          img.src = current;
          img.dataset.frames = String(Number(img.dataset.frames) + 1);
          if (previous) {
            URL.revokeObjectURL(previous);
          }
        }
      }
    } catch (e) {
      img.dataset.errors = String(Number(img.dataset.errors || 0) + 1);
    }
    if (document.body.dataset.completed === 'true') {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
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
  const raw = node.querySelector('.raw');
  raw.href = `/streams/${s.index}/mjpeg`;
  document.getElementById('streams').appendChild(node);
  streams.set(s.index, node);
  playMjpeg(s.index, img, shown);
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
  set(node, 'source', s.reconnects ? `${s.source_state} (${s.reconnects} reconnects)` : s.source_state);
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
    const response = await fetch('/api/streams?view', { cache: 'no-store' });
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
    document.body.dataset.completed = String(state.completed);
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
