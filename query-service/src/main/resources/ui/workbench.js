// The Companion Brain workbench: search with explain data, compare two settings, watch the status.
// Everything it shows comes from the service's API (docs/API.md), with the key the user gives it.
// No framework and nothing fetched from elsewhere: DOM built with textContent, never innerHTML.

const RETRIEVERS = ['text', 'keyword', 'vector'];
const KEY_STORE = 'companion-brain.key';
const SOURCES = {l1: 'from L1 (in process)', l2: 'from L2 (Redis)', miss: 'computed (not in the cache)', bypass: 'computed (cache bypassed)'};
const $ = (id) => document.getElementById(id);
/** The choices of the settings' selects: the API's modes and fusions (docs/API.md). */
const CHOICES = {
  mode: [['hybrid', 'hybrid'], ['text', 'text'], ['keyword', 'keyword'], ['vector', 'vector']],
  fusion: [['', 'service default'], ['weighted', 'weighted'], ['rrf', 'rrf']],
};

// ---- the key and the API ----------------------------------------------------------------------

/** An answer of the API other than 2xx, in the documented shape {"error":{"code","message"}}. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function key() {
  return sessionStorage.getItem(KEY_STORE) || '';
}

function setKey(value) {
  if (value) {
    sessionStorage.setItem(KEY_STORE, value);
  } else {
    sessionStorage.removeItem(KEY_STORE);
  }
  $('key').value = '';
  $('key-state').textContent = value ? 'key set for this tab' : 'no key';
}

/** A key given in the address's fragment (#key=…, as ./brain up prints it) is taken, then removed from the address. */
function keyFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has('key')) {
    setKey(fragment.get('key').trim());
    history.replaceState(history.state, '', location.pathname + location.search);
  }
}

async function api(path, options = {}) {
  const headers = Object.assign({Accept: 'application/json'}, options.headers || {});
  if (key()) {
    headers.Authorization = 'Bearer ' + key();
  }
  let response;
  try {
    response = await fetch(path, {method: options.method || 'GET', headers, body: options.body});
  } catch (e) {
    throw new ApiError(0, 'unreachable', 'the service cannot be reached (' + e.message + ')');
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const error = body && body.error ? body.error : {};
    throw new ApiError(response.status, error.code || 'http_' + response.status,
        error.message || text.slice(0, 300) || response.statusText);
  }
  if (body === null) {
    throw new ApiError(response.status, 'invalid_answer', 'the service answered something that is not JSON');
  }
  return body;
}

/** An error said in words: what the service answered, and what to do about it where that is known. */
function describe(error) {
  if (!(error instanceof ApiError)) {
    return 'Something went wrong in the page: ' + error.message;
  }
  if (error.status === 0) {
    return 'The service cannot be reached: ' + error.message + '.';
  }
  const hints = {
    401: ' Enter a valid API key above (./brain up prints one; ./brain keys create makes others).',
    403: ' This key may not do this: ask for a key with the scope named.',
    429: ' Too many searches at once for this key or this instance: try again in a second.',
    503: ' An engine behind the service cannot answer; the Status view says which.',
  };
  return 'The service answered ' + error.status + ' (' + error.code + '): ' + error.message + '.' + (hints[error.status] || '');
}

function showError(error) {
  const box = $('error');
  box.textContent = describe(error);
  box.hidden = false;
  if (error instanceof ApiError && error.status === 401) {
    $('key').focus();
  }
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

// ---- small DOM helpers ------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'class') {
      node.className = value;
    } else {
      node.setAttribute(name, value === true ? '' : value);
    }
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

function number(value, digits = 3) {
  return typeof value === 'number' ? value.toFixed(digits).replace(/\.?0+$/, '') || '0' : '–';
}

function ago(ms) {
  if (ms === null || ms === undefined) {
    return 'unknown';
  }
  if (ms < 1000) {
    return ms + ' ms ago';
  }
  const s = Math.round(ms / 1000);
  return s < 120 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
}

// ---- the address carries the view, the query and its settings ---------------------------------

const SEARCH_FIELDS = ['q', 'mode', 'fusion', 'weights', 'tags', 'k'];
const COMPARE_FIELDS = ['q', 'tags', 'k', 'a.mode', 'a.fusion', 'a.weights', 'b.mode', 'b.fusion', 'b.weights'];

function formValues(form, names) {
  const data = new FormData(form);
  const values = {};
  for (const name of names) {
    const value = (data.get(name) || '').toString().trim();
    if (value) {
      values[name] = value;
    }
  }
  return values;
}

function fillForm(form, names, params) {
  for (const name of names) {
    if (params.has(name)) {
      form.elements[name].value = params.get(name);
    }
  }
}

function setAddress(params, replace) {
  const address = '/ui?' + new URLSearchParams(params).toString();
  if (address !== location.pathname + location.search) {
    (replace ? history.replaceState : history.pushState).call(history, null, '', address);
  }
}

// ---- views ------------------------------------------------------------------------------------

let statusTimer = null;

function showView(view, focus) {
  for (const name of ['search', 'compare', 'status']) {
    const on = name === view;
    $('view-' + name).hidden = !on;
    $('tab-' + name).setAttribute('aria-selected', on ? 'true' : 'false');
    $('tab-' + name).tabIndex = on ? 0 : -1;
  }
  if (focus) {
    $('tab-' + view).focus();
  } else if (view !== 'status') {
    $(view + '-q').focus(); // autofocus does not reach a box that was hidden when the page loaded
  }
  clearInterval(statusTimer);
  statusTimer = null;
  if (view === 'status') {
    refreshStatus();
    statusTimer = setInterval(refreshStatus, 5000);
  } else if (view === 'compare') {
    loadJudgements();
  }
}

function currentView() {
  const view = new URLSearchParams(location.search).get('view');
  return ['search', 'compare', 'status'].includes(view) ? view : 'search';
}

// ---- search -----------------------------------------------------------------------------------

let searchOffset = 0;
let lastSearch = null;

function searchPath(settings, offset) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(settings)) {
    if (SEARCH_FIELDS.includes(name) && value) {
      params.set(name, value);
    }
  }
  params.set('offset', String(offset));
  params.set('explain', 'true');
  return '/search?' + params.toString();
}

function answerLine(answer, k, offset) {
  const page = Math.floor(offset / k) + 1;
  const pages = Math.max(1, Math.ceil(answer.total / k));
  const parts = [
    el('span', {class: 'fact'}, answer.total + ' hits in the window'),
    el('span', {class: 'fact'}, 'page ' + page + ' of ' + pages),
    el('span', {class: 'fact source', 'data-source': answer.cache}, SOURCES[answer.cache] || 'from ' + answer.cache),
    el('span', {class: 'fact'}, number(answer.took_ms, 2) + ' ms'),
    el('span', {class: 'fact'}, 'generation ' + answer.generation),
    el('span', {class: 'fact'}, answer.stale_ms ? 'stale by ' + answer.stale_ms + ' ms' : 'current'),
  ];
  if (answer.backend_ms && Object.keys(answer.backend_ms).length && (answer.cache === 'miss' || answer.cache === 'bypass')) {
    parts.push(el('span', {class: 'fact'}, 'retrievers: ' + Object.entries(answer.backend_ms)
        .map(([r, ms]) => r + ' ' + ms + ' ms').join(', ')));
  }
  const line = el('p', {class: 'facts'}, parts);
  const box = el('div', {}, line);
  const correction = answer.correction || answer.corrected_query;
  if (correction) {
    box.append(el('p', {class: 'correction'}, 'Searched for “' + (correction.query || correction) + '” instead of “' + answer.query + '”.'));
  }
  if (answer.degraded && answer.degraded.length) {
    box.append(el('p', {class: 'degraded'}, 'Degraded answer: ' + answer.degraded
        .map((d) => d.retriever + ' skipped (' + d.reason.replaceAll('_', ' ') + ')').join('; ') + '.'));
  }
  return box;
}

/** Each retriever's rank, raw and normalised score for a hit: which retriever brought it shows at a glance. */
function explainParts(hit) {
  const parts = hit.explain || {};
  const ranks = RETRIEVERS.map((r) => (parts[r] ? parts[r].rank : Infinity));
  const best = Math.min(...ranks);
  return el('ul', {class: 'explain', 'aria-label': 'each retriever\'s part'}, RETRIEVERS.map((r) => {
    const part = parts[r];
    if (!part) {
      return el('li', {class: 'part missing', 'data-retriever': r}, el('b', {}, r), ' not found');
    }
    const bar = el('span', {class: 'bar'});
    bar.style.width = Math.round(Math.max(0, Math.min(1, part.normalized)) * 100) + '%';
    return el('li', {class: 'part found' + (part.rank === best ? ' best' : ''), 'data-retriever': r,
      title: r + ': rank ' + part.rank + ', score ' + part.score + ', normalised ' + part.normalized},
    el('b', {}, r), ' #' + part.rank, el('span', {class: 'score'}, ' ' + number(part.score) + ' → ' + number(part.normalized)),
    el('span', {class: 'track'}, bar));
  }));
}

function hitItem(hit, rank, marks = []) {
  const title = hit.url && /^https?:\/\//.test(hit.url)
    ? el('a', {href: hit.url, rel: 'noopener noreferrer', target: '_blank'}, hit.title || hit.id)
    : el('span', {}, hit.title || hit.id);
  return el('li', {class: 'hit', 'data-id': hit.id},
      el('div', {class: 'hit-head'},
          el('span', {class: 'rank'}, String(rank)), title,
          marks.map((m) => el('span', {class: 'mark ' + m.kind}, m.text)),
          el('span', {class: 'fused', title: 'fused score'}, 'score ' + number(hit.score, 4))),
      hit.snippet ? el('p', {class: 'snippet'}, hit.snippet) : null,
      el('p', {class: 'meta'},
          el('code', {}, hit.id),
          hit.url ? el('span', {}, hit.url) : null,
          hit.tags && hit.tags.length ? el('span', {}, 'tags: ' + hit.tags.join(', ')) : null,
          hit.updated_at ? el('span', {}, 'updated ' + hit.updated_at) : null),
      explainParts(hit));
}

async function runSearch(offset, pushAddress) {
  const form = $('search-form');
  const settings = formValues(form, SEARCH_FIELDS);
  if (!settings.q) {
    return;
  }
  const k = Number(settings.k || 10);
  clearError();
  const fresh = $('search-fresh').checked;
  if (pushAddress) {
    setAddress(Object.assign({view: 'search'}, settings, offset ? {offset: String(offset)} : {}), false);
  }
  $('search-answer').textContent = 'Searching…';
  try {
    const answer = await api(searchPath(settings, offset), {headers: fresh ? {'Cache-Control': 'no-cache'} : {}});
    searchOffset = offset;
    lastSearch = {settings, k, total: answer.total};
    $('search-answer').replaceChildren(answerLine(answer, k, offset));
    $('search-hits').replaceChildren(...answer.hits.map((hit, i) => hitItem(hit, offset + i + 1)));
    $('search-hits').start = offset + 1;
    if (!answer.hits.length) {
      $('search-hits').replaceChildren(el('li', {class: 'none'}, 'No hit.'));
    }
    $('search-pages').hidden = answer.total <= k;
    $('search-prev').disabled = offset === 0;
    $('search-next').disabled = offset + k >= answer.total;
    $('search-page').textContent = (offset + 1) + '–' + Math.min(offset + k, answer.total) + ' of ' + answer.total;
  } catch (e) {
    $('search-answer').textContent = '';
    $('search-hits').replaceChildren();
    $('search-pages').hidden = true;
    showError(e);
  }
}

// ---- compare ----------------------------------------------------------------------------------

let judgements; // undefined: not asked yet; null: none loaded; else {collection, depth, byText}

async function loadJudgements() {
  if (judgements !== undefined) {
    return judgements;
  }
  try {
    const listing = await api('/judgements');
    const byText = new Map();
    const options = [];
    for (const query of listing.queries) {
      byText.set(query.text.trim(), query);
      options.push(el('option', {value: query.text}));
    }
    $('judged-queries').replaceChildren(...options);
    judgements = {collection: listing.collection, depth: listing.depth, byText};
    $('judgements-state').textContent = 'Judgements of ' + listing.collection + ' loaded: ' + listing.queries.length
        + ' judged queries (type to pick one); relevant hits are marked and each side shows its nDCG@' + listing.depth + '.';
  } catch (e) {
    if (e instanceof ApiError && e.code === 'no_judgements') {
      judgements = null;
      $('judgements-state').textContent = 'No relevance judgements loaded: start the service with BRAIN_JUDGEMENTS=<a test collection folder> to mark relevant hits and score nDCG@10.';
    } else {
      showError(e);
    }
  }
  return judgements;
}

function sideSettings(values, side) {
  const settings = {q: values.q, tags: values.tags, k: values.k};
  for (const field of ['mode', 'fusion', 'weights']) {
    settings[field] = values[side + '.' + field];
  }
  return settings;
}

function label(settings) {
  return [settings.mode || 'hybrid', settings.mode === 'hybrid' || !settings.mode ? (settings.fusion || 'default fusion') : null,
    settings.weights].filter(Boolean).join(' · ');
}

async function runCompare(pushAddress) {
  const values = formValues($('compare-form'), COMPARE_FIELDS);
  if (!values.q) {
    return;
  }
  clearError();
  if (pushAddress) {
    setAddress(Object.assign({view: 'compare'}, values), false);
  }
  const a = sideSettings(values, 'a');
  const b = sideSettings(values, 'b');
  $('a-label').textContent = label(a);
  $('b-label').textContent = label(b);
  $('compare-summary').textContent = 'Comparing…';
  const results = await Promise.allSettled([api(searchPath(a, 0)), api(searchPath(b, 0))]);
  const [answerA, answerB] = results.map((r) => (r.status === 'fulfilled' ? r.value : null));
  results.filter((r) => r.status === 'rejected').forEach((r) => showError(r.reason));
  const k = Number(values.k || 10);
  const hitsA = answerA ? answerA.hits : [];
  const hitsB = answerB ? answerB.hits : [];
  const rankA = new Map(hitsA.map((h, i) => [h.id, i]));
  const rankB = new Map(hitsB.map((h, i) => [h.id, i]));

  const judged = await loadJudgements();
  const query = judged ? judged.byText.get(values.q.trim()) : undefined;
  const scores = query ? await Promise.all([answerA, answerB].map((answer) => (answer
    ? api('/judgements/score?' + new URLSearchParams({query_id: query.id, ids: answer.hits.map((h) => h.id).join(',')}))
        .catch((e) => { showError(e); return null; })
    : null))) : [null, null];
  const relevant = query ? new Set(query.relevant) : new Set();

  const marksA = (hit) => {
    const marks = rankB.has(hit.id) ? [] : [{kind: 'vanished', text: 'not in B'}];
    return relevant.has(hit.id) ? marks.concat({kind: 'relevant', text: '★ relevant'}) : marks;
  };
  const marksB = (hit, i) => {
    let marks;
    if (!rankA.has(hit.id)) {
      marks = [{kind: 'appeared', text: 'new in B'}];
    } else if (rankA.get(hit.id) !== i) {
      const by = rankA.get(hit.id) - i;
      marks = [{kind: 'moved', text: (by > 0 ? '↑ ' + by : '↓ ' + -by) + ' (A #' + (rankA.get(hit.id) + 1) + ')'}];
    } else {
      marks = [{kind: 'same', text: 'same rank'}];
    }
    return relevant.has(hit.id) ? marks.concat({kind: 'relevant', text: '★ relevant'}) : marks;
  };
  $('a-answer').replaceChildren(answerA ? answerLine(answerA, k, 0) : el('p', {}, 'no answer'),
      scores[0] ? el('p', {class: 'ndcg'}, 'nDCG@' + judged.depth + ' ' + number(scores[0]['ndcg_at_' + judged.depth])) : '');
  $('b-answer').replaceChildren(answerB ? answerLine(answerB, k, 0) : el('p', {}, 'no answer'),
      scores[1] ? el('p', {class: 'ndcg'}, 'nDCG@' + judged.depth + ' ' + number(scores[1]['ndcg_at_' + judged.depth])) : '');
  $('a-hits').replaceChildren(...hitsA.map((h, i) => hitItem(h, i + 1, marksA(h))));
  $('b-hits').replaceChildren(...hitsB.map((h, i) => hitItem(h, i + 1, marksB(h, i))));

  const topA = hitsA.slice(0, 10).map((h) => h.id);
  const topB = new Set(hitsB.slice(0, 10).map((h) => h.id));
  const shared = topA.filter((id) => topB.has(id)).length;
  const moved = hitsB.filter((h, i) => rankA.has(h.id) && rankA.get(h.id) !== i).length;
  const appeared = hitsB.filter((h) => !rankA.has(h.id)).length;
  const vanished = hitsA.filter((h) => !rankB.has(h.id)).length;
  $('compare-summary').replaceChildren(el('p', {class: 'facts'},
      el('span', {class: 'fact overlap'}, 'top-10 overlap ' + shared + ' of ' + Math.max(topA.length, topB.size)),
      el('span', {class: 'fact'}, moved + ' moved'),
      el('span', {class: 'fact'}, appeared + ' new in B'),
      el('span', {class: 'fact'}, vanished + ' not in B'),
      query ? el('span', {class: 'fact'}, 'judged query ' + query.id + ' of ' + judged.collection + ', ' + query.relevant.length + ' relevant')
        : judged ? el('span', {class: 'fact'}, 'not a judged query') : null));
}

// ---- status -----------------------------------------------------------------------------------

function table(caption, headings, rows) {
  return el('table', {},
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, headings.map((h) => el('th', {scope: 'col'}, h)))),
      el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c, i) => (i === 0 ? el('th', {scope: 'row'}, c) : el('td', {}, c)))))));
}

function percent(share) {
  return share === null || share === undefined ? '–' : Math.round(share * 1000) / 10 + ' %';
}

async function refreshStatus() {
  try {
    const status = await api('/status');
    const ready = status.readiness;
    const body = [];
    body.push(el('p', {class: 'readiness', 'data-status': ready.status}, 'Readiness: ', el('b', {}, ready.status),
        ready.skipped.length ? ' (' + ready.skipped.map((s) => s.retriever + ' skipped: ' + s.reason.replaceAll('_', ' ')).join('; ') + ')' : ''));
    body.push(table('Engines', ['engine', 'up', 'probe', 'error'], Object.entries(ready.backends).map(([name, b]) =>
      [name, b.up ? 'up' : 'DOWN', b.latency_ms + ' ms', b.error || ''])));
    body.push(table('Circuit breakers', ['retriever', 'state', 'since'], Object.entries(ready.circuit_breakers).map(([name, b]) =>
      [name, b.state.toLowerCase().replaceAll('_', ' '), b.since || '']))); 
    const g = status.generation;
    body.push(el('p', {class: 'generation'}, 'Generation ', el('b', {}, String(g.current)), ', published ', ago(g.age_ms),
        g.published_at ? ' (' + g.published_at + ')' : ''));
    body.push(table('Searches answered by this instance', ['last', 'searches', 'from cache', 'L1 / L2 / computed / bypassed',
      'statuses', 'p50', 'p95', 'p99'], Object.entries(status.answers).map(([span, a]) => [span, String(a.answers),
      percent(a.cache_share), [a.sources.l1, a.sources.l2, a.sources.miss, a.sources.bypass].join(' / '),
      Object.entries(a.statuses).map(([s, n]) => s + ': ' + n).join(', ') || '–',
      a.p50_ms === null ? '–' : number(a.p50_ms, 2) + ' ms', a.p95_ms === null ? '–' : number(a.p95_ms, 2) + ' ms',
      a.p99_ms === null ? '–' : number(a.p99_ms, 2) + ' ms'])));
    body.push(el('p', {class: 'note'}, 'Read ' + new Date().toLocaleTimeString() + ' from /status (buckets of ' + status.bucket_ms / 1000 + ' s).'));
    $('status-body').replaceChildren(...body);
    clearError();
  } catch (e) {
    showError(e);
  }
}

// ---- wiring -----------------------------------------------------------------------------------

function openFromAddress() {
  const params = new URLSearchParams(location.search);
  const view = currentView();
  showView(view, false);
  if (view === 'search') {
    fillForm($('search-form'), SEARCH_FIELDS, params);
    if (params.get('q')) {
      runSearch(Math.max(0, Number(params.get('offset') || 0)), false);
    }
  } else if (view === 'compare') {
    fillForm($('compare-form'), COMPARE_FIELDS, params);
    if (params.get('q')) {
      runCompare(false);
    }
  }
}

function fillChoices() {
  for (const select of document.querySelectorAll('select[data-choices]')) {
    select.replaceChildren(...CHOICES[select.dataset.choices].map(([value, text]) => el('option', {value}, text)));
    select.value = select.dataset.default || CHOICES[select.dataset.choices][0][0];
  }
}

document.addEventListener('DOMContentLoaded', () => {
  fillChoices();
  keyFromFragment();
  $('key-state').textContent = key() ? 'key set for this tab' : 'no key';
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    setKey($('key').value.trim());
    clearError();
    openFromAddress();
  });
  const tabs = ['search', 'compare', 'status'];
  for (const view of tabs) {
    $('tab-' + view).addEventListener('click', () => {
      clearError();
      setAddress({view}, false);
      openFromAddress();
    });
    $('tab-' + view).addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (step) {
        const next = tabs[(tabs.indexOf(view) + step + tabs.length) % tabs.length];
        setAddress({view: next}, false);
        openFromAddress();
        $('tab-' + next).focus();
      }
    });
  }
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    runSearch(0, true);
  });
  $('search-prev').addEventListener('click', () => runSearch(Math.max(0, searchOffset - lastSearch.k), true));
  $('search-next').addEventListener('click', () => runSearch(searchOffset + lastSearch.k, true));
  $('compare-form').addEventListener('submit', (event) => {
    event.preventDefault();
    runCompare(true);
  });
  $('status-refresh').addEventListener('click', refreshStatus);
  window.addEventListener('popstate', openFromAddress);
  openFromAddress();
});
