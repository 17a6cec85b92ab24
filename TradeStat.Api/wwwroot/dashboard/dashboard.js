// TradeStat dashboard: two views fed by Server-Sent Events from /dashboard/events/{series,feed}.
// Every name and value from the service is set with textContent, never parsed as HTML.
// Numbers arrive as the API's own text and are shown as they are, so a price is never reformatted.
(function () {
  'use strict';

  var HISTORY = 600;               // points kept per feed symbol for its detail chart: the service's recent past, then live
  var WATCHDOG_MS = 15000;         // a live stream sends a heartbeat well within this
  var RETRY_MS = 1000;

  function $(id) { return document.getElementById(id); }

  // The first whole table of each view, for anyone measuring the page (User Timing: performance.getEntriesByName).
  // Marked once the table has been laid out and painted: at the second frame after it was built, when the frame
  // before it is done; a frame later while the table's first row is still skipped as off-screen (content-visibility
  // decides that within a frame).
  function mark(name, firstRow) {
    if (!window.performance || !performance.mark || performance.getEntriesByName(name).length > 0) { return; }
    var frames = 0;
    function frame() {
      requestAnimationFrame(function () {
        frames++;
        var row = firstRow ? firstRow() : null;
        var skipped = row && row.checkVisibility && !row.checkVisibility({ contentVisibilityAuto: true });
        if ((frames < 2 || skipped) && frames < 10) { frame(); return; }
        if (performance.getEntriesByName(name).length === 0) { performance.mark(name); }
      });
    }
    frame();
  }

  function el(tag, text, className) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (className) { e.className = className; }
    return e;
  }

  // The chart library is fetched when the first chart is drawn, not with the page: the tables come first.
  var uplotWaiting = null;
  function withUPlot(then) {
    if (window.uPlot) { then(); return; }
    if (!uplotWaiting) {
      uplotWaiting = [];
      var script = document.createElement('script');
      script.src = '/dashboard/lib/uplot/uPlot.iife.min.js';
      script.onload = function () { var waiting = uplotWaiting; uplotWaiting = null; waiting.forEach(function (f) { f(); }); };
      document.head.appendChild(script);
    }
    uplotWaiting.push(then);
  }

  // ---- Live stream with reconnection and a banner -------------------------------------------------------------

  function LiveStream(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.source = null;
    this.timer = null;
    this.retry = null;
    this.lost = false;
  }

  LiveStream.prototype.open = function () {
    var self = this;
    this.close();
    var source = new EventSource(this.path);
    this.source = source;
    source.addEventListener('snapshot', function (e) { self.alive(); self.handlers.snapshot(JSON.parse(e.data)); });
    source.addEventListener('update', function (e) { self.alive(); self.handlers.update(JSON.parse(e.data)); });
    source.addEventListener('ping', function () { self.alive(); });
    source.onerror = function () {
      self.lose();
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (an answer that is not a stream): try again ourselves.
        self.schedule();
      }
    };
    this.arm();
  };

  LiveStream.prototype.close = function () {
    if (this.source) { this.source.close(); this.source = null; }
    clearTimeout(this.timer);
    clearTimeout(this.retry);
  };

  LiveStream.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.retry);
    this.retry = setTimeout(function () { self.open(); }, RETRY_MS);
  };

  LiveStream.prototype.arm = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.lose(); self.schedule(); }, WATCHDOG_MS);
  };

  LiveStream.prototype.alive = function () {
    this.arm();
    if (this.lost) { this.lost = false; }
    showConnection(true);
  };

  LiveStream.prototype.lose = function () {
    this.lost = true;
    showConnection(false);
  };

  function showConnection(ok) {
    $('connection-lost').hidden = ok;
    $('live-state').textContent = ok ? 'Live' : 'Reconnecting…';
  }

  // ---- Series view ------------------------------------------------------------------------------------------

  var series = { rows: new Map(), selected: null, chart: null, fetching: false, again: false };

  function seriesSnapshot(data) {
    series.rows = new Map();
    data.rows.forEach(function (r) { series.rows.set(r.symbol, r); });
    renderSeriesTable();
    mark('tradestat:series-table');
  }

  function seriesUpdate(data) {
    data.rows.forEach(function (r) { series.rows.set(r.symbol, r); });
    (data.removed || []).forEach(function (s) { series.rows.delete(s); });
    renderSeriesTable();
  }

  function renderSeriesTable() {
    var body = $('series-table').tBodies[0];
    var names = Array.from(series.rows.keys()).sort();
    var existing = new Map();
    Array.from(body.rows).forEach(function (tr) { existing.set(tr.dataset.symbol, tr); });
    names.forEach(function (name) {
      var row = series.rows.get(name);
      var tr = existing.get(name);
      if (!tr) {
        tr = document.createElement('tr');
        tr.dataset.symbol = name;
        var cell = document.createElement('th');
        cell.scope = 'row';
        var link = el('a', name);
        link.href = '#/series/' + encodeURIComponent(name);
        cell.appendChild(link);
        tr.appendChild(cell);
        tr.appendChild(el('td', '', 'num'));
      }
      existing.delete(name);
      tr.cells[1].textContent = String(row.count);
      tr.setAttribute('aria-selected', String(name === series.selected));
      body.appendChild(tr); // keeps the sorted order
    });
    existing.forEach(function (tr) { tr.remove(); });
    $('series-empty').hidden = names.length > 0;
    renderSeriesDetail();
  }

  function renderSeriesDetail() {
    var row = series.selected !== null ? series.rows.get(series.selected) : undefined;
    $('series-detail').hidden = !row;
    if (!row) { return; }
    $('series-detail-title').textContent = row.symbol + ' — ' + row.count + ' points';
    var body = $('series-stats').tBodies[0];
    row.stats.forEach(function (s, i) {
      var tr = body.rows[i];
      if (!tr) {
        tr = document.createElement('tr');
        var th = el('th', s.k, 'num');
        th.scope = 'row';
        tr.appendChild(th);
        for (var c = 0; c < 6; c++) { tr.appendChild(el('td', '', 'num')); }
        body.appendChild(tr);
      }
      [s.count, s.min, s.max, s.last, s.avg, s.var].forEach(function (v, c) { tr.cells[c + 1].textContent = String(v); });
    });
    refreshSeriesChart();
  }

  function refreshSeriesChart() {
    if (series.fetching) { series.again = true; return; }
    var symbol = series.selected;
    if (symbol === null || !series.rows.has(symbol)) { return; }
    var k = $('series-k').value;
    var box = $('series-chart');
    var buckets = Math.max(1, Math.min(4096, Math.floor(box.clientWidth || 600)));
    series.fetching = true;
    fetch('/envelope/?symbol=' + encodeURIComponent(symbol) + '&k=' + k + '&buckets=' + buckets, { cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (e) {
        if (e && e.symbol === series.selected) { drawSeriesChart(e); }
      })
      .catch(function () { /* the live stream shows connection trouble */ })
      .then(function () {
        series.fetching = false;
        if (series.again) { series.again = false; refreshSeriesChart(); }
      });
  }

  function drawSeriesChart(e) {
    if (!window.uPlot) { withUPlot(function () { if (e.symbol === series.selected) { drawSeriesChart(e); } }); return; }
    var x = new Array(e.buckets);
    for (var i = 0; i < e.buckets; i++) { x[i] = e.start + Math.floor(e.count * i / e.buckets); }
    var data = [x, e.min, e.max];
    var perPoint = e.buckets === e.count;
    $('series-chart-note').textContent = perPoint
      ? e.count + ' points'
      : e.count + ' points in ' + e.buckets + ' buckets: each shows its min and max';
    var box = $('series-chart');
    if (series.chart && series.chart.symbol === e.symbol && series.chart.perPoint === perPoint) {
      series.chart.plot.setData(data);
      return;
    }
    if (series.chart) { series.chart.plot.destroy(); }
    var opts = {
      width: Math.max(200, box.clientWidth), height: 260,
      scales: { x: { time: false } },
      axes: [{ label: 'point' }, { size: 90 }],
      series: [
        { label: 'point' },
        { label: perPoint ? 'value' : 'min', stroke: '#1f4e79' },
        { label: 'max', stroke: '#7aa6d1', show: !perPoint }
      ],
      bands: perPoint ? [] : [{ series: [2, 1], fill: 'rgba(31,78,121,0.15)' }]
    };
    series.chart = { symbol: e.symbol, perPoint: perPoint, plot: new uPlot(opts, data, box) };
  }

  // ---- Feed view --------------------------------------------------------------------------------------------

  // Rows are grouped in tbodies of GROUP rows: the style keeps off-screen groups out of layout and paint
  // (content-visibility), so a table of thousands of rows costs about what the rows in view cost.
  // Every row stays in the DOM: the rows the search hides wait in one hidden tbody.
  var GROUP = 50;

  var feed = {
    rows: new Map(), trs: new Map(), history: new Map(), meta: null,
    sort: { key: 'symbol', dir: 1 }, filter: '', selected: null, chart: null,
    groups: [], hiddenBody: null, template: null, loaded: null
  };

  function feedSnapshot(data) {
    if (window.performance && performance.mark && performance.getEntriesByName('tradestat:feed-snapshot').length === 0) {
      performance.mark('tradestat:feed-snapshot'); // the snapshot parsed: what follows is the page's own work
    }
    feed.rows = new Map();
    data.rows.forEach(function (r) { feed.rows.set(r.symbol, r); remember(r); });
    if (data.meta) { feed.meta = data.meta; }
    feed.trs = new Map();
    feed.rows.forEach(function (r) { feed.trs.set(r.symbol, feedRow(r)); });
    // Built detached and attached at once, so the browser lays the table out once.
    var table = $('feed-table');
    Array.from(table.tBodies).forEach(function (body) { body.remove(); });
    feed.groups = [];
    feed.hiddenBody = document.createElement('tbody');
    feed.hiddenBody.hidden = true;
    feed.hiddenBody.setAttribute('role', 'rowgroup');
    placeFeedRows(true);
    renderHealth();
    renderFeedDetail();
    mark('tradestat:feed-table', function () { return feed.groups.length > 0 ? feed.groups[0].firstElementChild : null; });
  }

  function feedUpdate(data) {
    data.rows.forEach(function (r) {
      feed.rows.set(r.symbol, r);
      remember(r);
      var tr = feed.trs.get(r.symbol);
      if (tr) { fillFeedRow(tr, r); } else { feed.trs.set(r.symbol, feedRow(r)); }
    });
    (data.removed || []).forEach(function (s) {
      feed.rows.delete(s);
      var tr = feed.trs.get(s);
      if (tr) { tr.remove(); feed.trs.delete(s); }
    });
    placeFeedRows(false);
    if (data.meta) { feed.meta = data.meta; renderHealth(); }
    renderFeedDetail();
  }

  function remember(r) {
    var h = feed.history.get(r.symbol);
    if (!h) { h = { t: [], last: [], median: [] }; feed.history.set(r.symbol, h); }
    if (r.last === null) { return; }
    var t = Date.now() / 1000;
    if (h.t.length > 0 && h.t[h.t.length - 1] >= t) { return; }
    h.t.push(t);
    h.last.push(Number(r.last));
    h.median.push(r.median === null ? null : Number(r.median));
    if (h.t.length > HISTORY) { h.t.shift(); h.last.shift(); h.median.shift(); }
  }

  function feedRow(r) {
    if (!feed.template) {
      // One row built by hand, then cloned: cloning is far cheaper than building thousands of rows cell by cell.
      var tr = document.createElement('tr');
      tr.setAttribute('role', 'row');
      var th = document.createElement('th');
      th.scope = 'row';
      th.setAttribute('role', 'rowheader');
      // A link, not a button: thousands of them lay out far faster, and they are keyboard-reachable all the same.
      th.appendChild(document.createElement('a'));
      tr.appendChild(th);
      ['num', 'num', 'num', '', 'num'].forEach(function (c) {
        var td = el('td', '', c);
        td.setAttribute('role', 'cell');
        tr.appendChild(td);
      });
      feed.template = tr;
    }
    var row = feed.template.cloneNode(true);
    row.dataset.symbol = r.symbol;
    var link = row.cells[0].firstChild;
    link.textContent = r.symbol;
    link.href = '#/feed/' + encodeURIComponent(r.symbol);
    fillFeedRow(row, r);
    return row;
  }

  function exactText(r) { return r.filling ? 'filling' : (r.exact ? 'yes' : 'no'); }

  function setText(cell, text) {
    if (cell.textContent !== text) { cell.textContent = text; }
  }

  function fillFeedRow(tr, r) {
    setText(tr.cells[1], String(r.count));
    setText(tr.cells[2], r.median === null ? '—' : r.median);
    setText(tr.cells[3], r.last === null ? '—' : r.last);
    setText(tr.cells[4], exactText(r));
    setText(tr.cells[5], String(r.missed));
    tr.setAttribute('aria-selected', String(r.symbol === feed.selected));
  }

  function sortValue(r, key) {
    switch (key) {
      case 'count': return r.count;
      case 'missed': return r.missed;
      case 'median': return r.median === null ? -Infinity : Number(r.median);
      case 'last': return r.last === null ? -Infinity : Number(r.last);
      case 'exact': return exactText(r);
      default: return r.symbol;
    }
  }

  function compareRows(a, b) {
    var key = feed.sort.key;
    var va = sortValue(a, key), vb = sortValue(b, key);
    var c = va < vb ? -1 : va > vb ? 1 : 0;
    if (c === 0 && key !== 'symbol') { c = a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0; }
    return c * feed.sort.dir;
  }

  // Puts every row where the sort and the search want it: the rows shown, in order, GROUP to a tbody; the others in
  // the hidden tbody. Only rows out of place move (an update rarely changes the order much), and on the first build
  // the tbodies are filled while detached and added in one fragment.
  function placeFeedRows(fresh) {
    var table = $('feed-table');
    var needle = feed.filter;
    var ordered = Array.from(feed.rows.values()).sort(compareRows);
    var shown = [];
    var hidden = [];
    ordered.forEach(function (r) {
      var tr = feed.trs.get(r.symbol);
      if (needle === '' || r.symbol.toLowerCase().indexOf(needle) >= 0) { shown.push(tr); } else { hidden.push(tr); }
    });
    var needed = Math.ceil(shown.length / GROUP);
    var fragment = fresh ? document.createDocumentFragment() : null;
    while (feed.groups.length < needed) {
      var group = document.createElement('tbody');
      group.className = 'group';
      group.setAttribute('role', 'rowgroup');
      if (fragment) { fragment.appendChild(group); } else { table.insertBefore(group, feed.hiddenBody); }
      feed.groups.push(group);
    }
    for (var g = 0; g < needed; g++) {
      var body = feed.groups[g];
      var current = body.firstElementChild;
      for (var i = g * GROUP; i < Math.min(shown.length, (g + 1) * GROUP); i++) {
        var tr = shown[i];
        if (tr === current) { current = current.nextElementSibling; } else { body.insertBefore(tr, current); }
      }
    }
    hidden.forEach(function (tr) { if (tr.parentNode !== feed.hiddenBody) { feed.hiddenBody.appendChild(tr); } });
    // Rows of a later group are moved before a group is left, so the groups past the rows shown are empty now.
    while (feed.groups.length > needed) { feed.groups.pop().remove(); }
    if (fragment) {
      fragment.appendChild(feed.hiddenBody);
      table.appendChild(fragment);
    }
    $('feed-shown').textContent = shown.length + ' of ' + feed.trs.size + ' symbols';
  }

  var HEALTH = [
    ['mode', 'Mode'], ['symbols', 'Symbols'], ['connections', 'Connections'],
    ['streamsPerConnection', 'Streams per connection'], ['maxStreamsPerConnection', 'Most streams per connection'],
    ['messagesPerSecond', 'WebSocket messages/s'], ['tradesPerSecond', 'Trades/s'], ['messages', 'WebSocket messages'],
    ['trades', 'Trades counted'], ['gaps', 'Gaps'], ['gapsOpen', 'Back-fill queue (gaps open)'],
    ['backfilled', 'Trades back-filled'], ['missed', 'Trades missed'], ['held', 'Trades held'], ['deferred', 'Trades deferred'],
    ['reconnects', 'Reconnects'], ['restWeight', 'REST weight used'], ['rest429', 'REST 429 (weight limit)'],
    ['rest418', 'REST 418 (bans)'], ['checkpointAge', 'Checkpoint age'], ['checkpointFailures', 'Checkpoint failures']
  ];
  var BAD = { missed: true, rest429: true, rest418: true, checkpointFailures: true };

  function renderHealth() {
    var m = feed.meta;
    if (!m) { return; }
    $('feed-off').hidden = m.enabled;
    $('feed-health-section').hidden = !m.enabled;
    $('feed-body').hidden = !m.enabled;
    if (!m.enabled) { return; }
    var list = $('feed-health');
    var items = [];
    HEALTH.forEach(function (h) {
      var key = h[0], value = m[key];
      if (key === 'checkpointAge') {
        if (!m.checkpoints) { return; }
        value = m.checkpointUnixMs ? Math.max(0, Math.round((Date.now() - m.checkpointUnixMs) / 1000)) + ' s' : 'none yet';
      }
      if (key === 'checkpointFailures' && !m.checkpoints) { return; }
      if (value === undefined) { return; }
      var item = el('div', null, BAD[key] && value > 0 ? 'bad' : '');
      item.appendChild(el('dt', h[1]));
      item.appendChild(el('dd', value));
      item.dataset.key = key;
      items.push(item);
    });
    list.replaceChildren.apply(list, items);
  }

  // The service keeps each symbol's recent past: the chart starts from it, and the live points follow.
  function loadHistory(symbol) {
    feed.loaded = symbol;
    fetch('/dashboard/feed/history?symbol=' + encodeURIComponent(symbol), { cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (past) {
        if (!past || past.symbol !== feed.selected) { return; }
        var merged = { t: [], last: [], median: [] };
        var end = -Infinity;
        past.t.forEach(function (ms, i) {
          merged.t.push(ms / 1000);
          merged.last.push(Number(past.last[i]));
          merged.median.push(past.median[i] === null ? null : Number(past.median[i]));
          end = ms / 1000;
        });
        var live = feed.history.get(past.symbol) || { t: [], last: [], median: [] };
        live.t.forEach(function (t, i) {
          if (t > end) { merged.t.push(t); merged.last.push(live.last[i]); merged.median.push(live.median[i]); }
        });
        var extra = merged.t.length - HISTORY;
        if (extra > 0) { merged.t.splice(0, extra); merged.last.splice(0, extra); merged.median.splice(0, extra); }
        feed.history.set(past.symbol, merged);
        renderFeedDetail();
      })
      .catch(function () { /* the live stream shows connection trouble */ });
  }

  function renderFeedDetail() {
    var r = feed.selected !== null ? feed.rows.get(feed.selected) : undefined;
    $('feed-detail').hidden = !r;
    if (!r) { feed.loaded = null; return; }
    if (feed.loaded !== r.symbol) { loadHistory(r.symbol); }
    $('feed-detail-title').textContent = r.symbol;
    var list = $('feed-detail-values');
    var items = [['Count', r.count], ['Median', r.median === null ? '—' : r.median], ['Last', r.last === null ? '—' : r.last],
      ['Exact', exactText(r)], ['Missed', r.missed]].map(function (p) {
      var item = el('div');
      item.appendChild(el('dt', p[0]));
      item.appendChild(el('dd', p[1]));
      return item;
    });
    list.replaceChildren.apply(list, items);
    var h = feed.history.get(r.symbol) || { t: [], last: [], median: [] };
    var data = [h.t.slice(), h.last.slice(), h.median.slice()];
    var box = $('feed-chart');
    // A line needs two points: until the symbol trades again while the page is open, there is nothing to draw.
    $('feed-chart-note').textContent = h.t.length < 2
      ? 'The chart starts once the symbol has traded twice in the recent past.'
      : 'Last price and median over the recent past, then live.';
    box.hidden = h.t.length < 2;
    box.dataset.points = String(h.t.length);
    if (box.hidden) { return; }
    if (!window.uPlot) { withUPlot(renderFeedDetail); return; }
    if (feed.chart && feed.chart.symbol === r.symbol) { feed.chart.plot.setData(data); return; }
    if (feed.chart) { feed.chart.plot.destroy(); }
    var opts = {
      width: Math.max(200, box.clientWidth), height: 240,
      axes: [{}, { size: 90 }],
      series: [{}, { label: 'last', stroke: '#1f4e79', points: { show: true } }, { label: 'median', stroke: '#c0504d', points: { show: true } }]
    };
    feed.chart = { symbol: r.symbol, plot: new uPlot(opts, data, box) };
  }

  function setSort(key) {
    feed.sort = feed.sort.key === key ? { key: key, dir: -feed.sort.dir } : { key: key, dir: 1 };
    Array.from($('feed-table').tHead.rows[0].cells).forEach(function (th) {
      if (th.dataset.key === key) { th.setAttribute('aria-sort', feed.sort.dir > 0 ? 'ascending' : 'descending'); } else { th.removeAttribute('aria-sort'); }
    });
    placeFeedRows(false);
  }

  // ---- Navigation -------------------------------------------------------------------------------------------

  var streams = {
    series: new LiveStream('/dashboard/events/series', { snapshot: seriesSnapshot, update: seriesUpdate }),
    feed: new LiveStream('/dashboard/events/feed', { snapshot: feedSnapshot, update: feedUpdate })
  };
  var current = null;

  function route() {
    var parts = location.hash.replace(/^#\/?/, '').split('/');
    var view = parts[0] === 'feed' ? 'feed' : 'series';
    var symbol = parts.length > 1 && parts[1] !== '' ? decodeURIComponent(parts.slice(1).join('/')) : null;
    $('series-view').hidden = view !== 'series';
    $('feed-view').hidden = view !== 'feed';
    $(view === 'series' ? 'nav-series' : 'nav-feed').setAttribute('aria-current', 'page');
    $(view === 'series' ? 'nav-feed' : 'nav-series').removeAttribute('aria-current');
    if (view === 'series') {
      series.selected = symbol;
      if (series.chart && series.chart.symbol !== symbol) { series.chart.plot.destroy(); series.chart = null; }
      renderSeriesTable();
    } else {
      var changed = feed.selected !== symbol;
      feed.selected = symbol;
      feed.trs.forEach(function (tr, s) { tr.setAttribute('aria-selected', String(s === symbol)); });
      renderFeedDetail();
      // At phone width the detail is below the table: bring it into view when a symbol is chosen.
      var detail = $('feed-detail');
      if (changed && symbol !== null && !detail.hidden && detail.getBoundingClientRect().top > window.innerHeight) {
        detail.scrollIntoView({ block: 'start' });
      }
    }
    if (current !== view) {
      if (current) { streams[current].close(); }
      current = view;
      streams[view].open();
    }
  }

  function start() {
    $('series-k').addEventListener('change', function () {
      if (series.chart) { series.chart.plot.destroy(); series.chart = null; }
      refreshSeriesChart();
    });
    $('feed-search').addEventListener('input', function (e) { feed.filter = e.target.value.trim().toLowerCase(); placeFeedRows(false); });
    Array.from($('feed-table').tHead.rows[0].cells).forEach(function (th) {
      th.querySelector('button').addEventListener('click', function () { setSort(th.dataset.key); });
    });
    window.addEventListener('hashchange', route);
    route();
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}());
