// webrunner live dashboard: polls /records every second and renders it. Record text is only
// ever set through textContent and DOM properties, never parsed as HTML.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const rows = $('rows');
  let rendered = 0;
  let runKey = null;

  function duration(ms) {
    if (typeof ms !== 'number' || !isFinite(ms) || ms < 0) return '—';
    if (ms < 1000) return Math.round(ms) + ' ms';
    let s = Math.round(ms / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    s = s % 60;
    const pad = (n) => String(n).padStart(2, '0');
    return h > 0 ? h + 'h ' + pad(m) + 'm ' + pad(s) + 's' : m > 0 ? m + 'm ' + pad(s) + 's' : s + ' s';
  }

  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function badge(parent, text, cls) {
    const span = document.createElement('span');
    span.className = 'badge ' + cls;
    span.textContent = text;
    parent.appendChild(span);
  }

  function row(r) {
    const failed = r.status === 'failed';
    const tr = document.createElement('tr');
    tr.className = failed ? 'failed' : 'passed';
    cell(tr, r.index);
    const at = /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(String(r.started_at));
    cell(tr, at ? at[1] : r.started_at).title = String(r.started_at);
    cell(tr, r.flow || '');
    cell(tr, r.command, 'command');
    const status = cell(tr, '', 'status');
    badge(status, failed ? 'FAILED' : 'PASSED', failed ? 'failed' : 'passed');
    if (r.flaky) badge(status, 'FLAKY', 'flaky');
    const attempts = cell(tr, r.attempts);
    if (Array.isArray(r.tries) && r.tries.length > 1) {
      // Every attempt with its own error, from the record's tries.
      attempts.title = r.tries
        .map((t) => 'attempt ' + t.attempt + ': ' + t.status + (t.error ? ' — ' + t.error : ''))
        .join('\n');
    }
    cell(tr, duration(r.duration_ms));
    cell(tr, r.error || '', 'error');
    const shot = cell(tr, '', 'shot');
    const url = r.screenshot_url;
    if (typeof url === 'string' && url.startsWith('/screenshots/')) {
      const a = document.createElement('a');
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = 'screenshot';
      shot.appendChild(a);
    }
    return tr;
  }

  function show(data) {
    const key = String(data.started_at);
    if (key !== runKey || data.total < rendered || data.offset !== rendered) {
      // Another run, or an answer that does not continue what is shown: start over.
      const fresh = key !== runKey || data.offset !== 0;
      runKey = key;
      rows.replaceChildren();
      rendered = 0;
      if (fresh && data.offset !== 0) return false;
    }
    const fragment = document.createDocumentFragment();
    for (const r of data.records) fragment.appendChild(row(r));
    rows.appendChild(fragment);
    rendered += data.records.length;

    const planned = Math.max(data.planned || 0, data.total);
    $('done').textContent = data.total;
    $('planned').textContent = planned;
    const bar = $('bar');
    bar.max = planned > 0 ? planned : 1;
    bar.value = data.total;
    $('total').textContent = data.total;
    $('passed').textContent = data.passed;
    $('failed').textContent = data.failed;
    $('flaky').textContent = data.flaky;
    $('elapsed').textContent = duration(data.elapsed_ms);
    $('eta').textContent = data.finished ? 'finished' : data.eta_ms === null ? '—' : '~' + duration(data.eta_ms);
    const run = data.running;
    $('running').textContent = run
      ? '#' + run.index + ' ' + run.command + (run.flow ? ' (' + run.flow + ')' : '') +
        (run.attempt > 1 ? ', attempt ' + run.attempt : '') +
        ', for ' + duration(data.elapsed_ms - run.started_ms)
      : data.finished ? 'finished' : '—';
    const state = $('state');
    state.className = 'state';
    state.textContent = data.finished ? 'run finished' : 'live';
    return true;
  }

  async function refresh() {
    try {
      const res = await fetch('/records?since=' + rendered, { cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const data = await res.json();
      if (!show(data)) {
        setTimeout(refresh, 0);
        return;
      }
    } catch (e) {
      const state = $('state');
      state.className = 'state error';
      state.textContent = 'cannot reach the run (' + e.message + '), retrying…';
    }
    setTimeout(refresh, 1000);
  }

  $('only-failed').addEventListener('change', (e) => {
    $('records').classList.toggle('only-failed', e.target.checked);
  });
  refresh();
})();
