// The charlm playground: generation streamed from /v1/completions, and a text coloured by the
// surprisal of each character (echo with logprobs). Talks to this server only (see the page's
// Content-Security-Policy); no libraries, no build step.
'use strict';

const $ = (id) => document.getElementById(id);
const BITS_FOR_DARKEST = 8; // surprisal at which the colour scale saturates
let modelId = null;
let running = null; // the AbortController of the generation in progress

function headers() {
  const h = { 'Content-Type': 'application/json' };
  const key = $('api-key').value.trim();
  if (key) h.Authorization = 'Bearer ' + key;
  return h;
}

function setStatus(el, text, isError) {
  el.textContent = text;
  el.classList.toggle('error', Boolean(isError));
}

/** The message of an error answer in either of the server's shapes. */
async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error) return typeof body.error === 'string' ? body.error : body.error.message;
  } catch (e) {
    // not JSON: fall through to the status line
  }
  return 'HTTP ' + response.status;
}

async function describeModel() {
  try {
    const r = await fetch('/health');
    const h = await r.json();
    modelId = h.id;
    const seen = h.preprocessing === 'd2l'
      ? 'd2l preprocessing: text is lowercased and every run of non-letters becomes one space, so the model sees letters and spaces'
      : 'raw text: every character as it is';
    $('model-line').textContent = `Model ${h.id}: ${h.cell.toUpperCase()}, ${h.layers} layers of ${h.hidden}, ${h.precision}; ${seen}.`;
  } catch (e) {
    $('model-line').textContent = 'The server did not describe its model.';
  }
}

// ---- tabs ----

function selectTab(tab, focus) {
  for (const t of document.querySelectorAll('[role="tab"]')) {
    const selected = t === tab;
    t.setAttribute('aria-selected', String(selected));
    t.tabIndex = selected ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !selected;
  }
  if (focus) tab.focus();
}

function setUpTabs() {
  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => selectTab(tab, false));
    tab.addEventListener('keydown', (e) => {
      let next = null;
      if (e.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
      if (e.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
      if (e.key === 'Home') next = tabs[0];
      if (e.key === 'End') next = tabs[tabs.length - 1];
      if (next) {
        e.preventDefault();
        selectTab(next, true);
      }
    });
  });
}

// ---- generation ----

function numberField(id, integer) {
  const raw = $(id).value.trim();
  if (raw === '') return null;
  const v = Number(raw);
  return integer ? Math.trunc(v) : v;
}

async function generate(event) {
  event.preventDefault();
  const status = $('generate-status');
  const request = {
    prompt: $('prompt').value,
    max_tokens: numberField('length', true),
    temperature: numberField('temperature', false),
    top_p: numberField('top-p', false),
    stream: true,
    echo: true,
  };
  const seed = numberField('seed', true);
  if (seed !== null) request.seed = seed;
  if (modelId) request.model = modelId;
  running = new AbortController();
  $('generate').disabled = true;
  $('stop').disabled = false;
  $('output-prompt').textContent = '';
  $('output-text').textContent = '';
  setStatus(status, 'Generating…');
  const started = performance.now();
  let characters = 0;
  let echoed = false;
  let finish = null;
  try {
    const response = await fetch('/v1/completions', {
      method: 'POST', headers: headers(), body: JSON.stringify(request), signal: running.signal,
    });
    if (!response.ok) {
      setStatus(status, await errorMessage(response), true);
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        for (const line of event.split('\n')) {
          if (!line.startsWith('data: ')) continue;
          const data = line.slice(6);
          if (data === '[DONE]') continue;
          const chunk = JSON.parse(data);
          if (chunk.error) {
            setStatus(status, chunk.error.message, true);
            return;
          }
          for (const choice of chunk.choices) {
            if (!echoed) {
              // The first chunk carries the prompt as the model saw it.
              $('output-prompt').textContent = choice.text;
              echoed = true;
            } else {
              $('output-text').textContent += choice.text;
              characters += [...choice.text].length;
            }
            if (choice.finish_reason) finish = choice.finish_reason;
          }
          const seconds = (performance.now() - started) / 1000;
          setStatus(status, `${characters} characters, ${(characters / Math.max(seconds, 1e-3)).toFixed(0)} per second`);
        }
      }
    }
    const why = finish === 'stop' ? 'a stop string' : 'the length asked for';
    setStatus(status, `Done: ${characters} characters (ended by ${why}).`);
  } catch (e) {
    if (e.name === 'AbortError') {
      setStatus(status, `Stopped after ${characters} characters.`);
    } else {
      setStatus(status, 'The connection failed: ' + e.message, true);
    }
  } finally {
    running = null;
    $('generate').disabled = false;
    $('stop').disabled = true;
  }
}

function stop() {
  // Closing the connection is what ends the server's work for this generation.
  if (running) running.abort();
}

// ---- surprisal ----

/** A colour for a surprisal: pale yellow for none, deep red at BITS_FOR_DARKEST and beyond. */
function colour(bits) {
  const t = Math.min(Math.max(bits, 0) / BITS_FOR_DARKEST, 1);
  return { background: `hsl(${(55 * (1 - t)).toFixed(1)}, 90%, ${(96 - 50 * t).toFixed(1)}%)`, dark: t > 0.62 };
}

function visible(ch) {
  if (ch === ' ') return '␣ (space)';
  if (ch === '\n') return '⏎ (new line)';
  if (ch === '\t') return '⇥ (tab)';
  return ch;
}

function drawLegend() {
  const legend = $('legend');
  legend.textContent = '';
  const caption = document.createElement('span');
  caption.className = 'caption';
  caption.textContent = 'Surprisal (bits):';
  legend.appendChild(caption);
  for (let b = 0; b <= BITS_FOR_DARKEST; b++) {
    const s = document.createElement('span');
    const c = colour(b);
    s.className = 'swatch';
    s.style.backgroundColor = c.background;
    s.style.color = c.dark ? '#fff' : '#1d1d1f';
    s.textContent = b === BITS_FOR_DARKEST ? b + '+' : String(b);
    legend.appendChild(s);
  }
  legend.hidden = false;
}

let marks = [];
let current = -1;

function showDetail(i) {
  const span = marks[i];
  if (!span) return;
  if (current >= 0 && marks[current]) marks[current].classList.remove('current');
  current = i;
  span.classList.add('current');
  const detail = $('detail');
  detail.textContent = '';
  const head = document.createElement('p');
  const ch = span.dataset.character;
  if (span.dataset.logprob === undefined) {
    head.textContent = `Character ${i + 1}: ${visible(ch)} — the first character; nothing before it to predict it from.`;
    detail.appendChild(head);
    return;
  }
  const lp = Number(span.dataset.logprob);
  const bits = -lp / Math.LN2;
  head.textContent = `Character ${i + 1}: ${visible(ch)} — probability ${(100 * Math.exp(lp)).toFixed(2)}%, ${bits.toFixed(2)} bits of surprisal. The model's top guesses there:`;
  detail.appendChild(head);
  const table = document.createElement('table');
  const header = table.insertRow();
  for (const label of ['character', 'probability', 'bits']) {
    const th = document.createElement('th');
    th.textContent = label;
    header.appendChild(th);
  }
  for (const [alt, altLp] of JSON.parse(span.dataset.alternatives)) {
    const row = table.insertRow();
    row.insertCell().textContent = visible(alt);
    row.insertCell().textContent = (100 * Math.exp(altLp)).toFixed(2) + '%';
    row.insertCell().textContent = (-altLp / Math.LN2).toFixed(2);
  }
  detail.appendChild(table);
}

async function score(event) {
  event.preventDefault();
  const status = $('surprisal-status');
  const text = $('surprisal-text').value;
  setStatus(status, 'Scoring…');
  $('score').disabled = true;
  try {
    const request = { prompt: text, max_tokens: 0, echo: true, logprobs: 5 };
    if (modelId) request.model = modelId;
    const response = await fetch('/v1/completions', { method: 'POST', headers: headers(), body: JSON.stringify(request) });
    if (!response.ok) {
      setStatus(status, await errorMessage(response), true);
      return;
    }
    const answer = await response.json();
    const lp = answer.choices[0].logprobs;
    const heatmap = $('heatmap');
    heatmap.textContent = '';
    marks = [];
    current = -1;
    let nll = 0;
    let predicted = 0;
    const fragment = document.createDocumentFragment();
    lp.tokens.forEach((ch, i) => {
      const span = document.createElement('span');
      span.textContent = ch;
      span.dataset.character = ch;
      span.dataset.index = String(i);
      const logprob = lp.token_logprobs[i];
      if (logprob !== null) {
        nll -= logprob;
        predicted++;
        const c = colour(-logprob / Math.LN2);
        span.style.backgroundColor = c.background;
        if (c.dark) span.style.color = '#fff';
        span.dataset.logprob = String(logprob);
        span.dataset.alternatives = JSON.stringify(Object.entries(lp.top_logprobs[i]));
      }
      marks.push(span);
      fragment.appendChild(span);
    });
    heatmap.appendChild(fragment);
    heatmap.hidden = false;
    $('heatmap-help').hidden = false;
    drawLegend();
    if (predicted > 0) {
      $('perplexity').textContent = Math.exp(nll / predicted).toFixed(4);
      $('bits').textContent = (nll / predicted / Math.LN2).toFixed(4);
      $('predicted').textContent = String(predicted);
      $('summary').hidden = false;
      setStatus(status, '');
    } else {
      $('summary').hidden = true;
      setStatus(status, 'One character: nothing to predict.');
    }
    $('detail').textContent = '';
  } catch (e) {
    setStatus(status, 'The request failed: ' + e.message, true);
  } finally {
    $('score').disabled = false;
  }
}

function setUpHeatmap() {
  const heatmap = $('heatmap');
  heatmap.addEventListener('mouseover', (e) => {
    if (e.target.dataset && e.target.dataset.index !== undefined) showDetail(Number(e.target.dataset.index));
  });
  heatmap.addEventListener('focus', () => {
    if (current < 0 && marks.length) showDetail(0);
  });
  heatmap.addEventListener('keydown', (e) => {
    if (!marks.length) return;
    let next = null;
    if (e.key === 'ArrowRight') next = Math.min(current + 1, marks.length - 1);
    if (e.key === 'ArrowLeft') next = Math.max(current - 1, 0);
    if (e.key === 'Home') next = 0;
    if (e.key === 'End') next = marks.length - 1;
    if (next !== null) {
      e.preventDefault();
      showDetail(next);
      marks[next].scrollIntoView({ block: 'nearest' });
    }
  });
}

document.addEventListener('DOMContentLoaded', () => {
  setUpTabs();
  setUpHeatmap();
  $('generate-form').addEventListener('submit', generate);
  $('stop').addEventListener('click', stop);
  $('surprisal-form').addEventListener('submit', score);
  describeModel();
});
