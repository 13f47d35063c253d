// The search page: reads the index blogsmith writes under /search/ (see search/index.py) and
// shows the matching articles. The query is cut into terms by the same rules as the index
// (search/terms.py), and a term's postings are read as postings.py writes them: change both
// together.
(function (root) {
  "use strict";

  var CJK =
    "\u3005-\u3007\u3040-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff" +
    "\uac00-\ud7af\uf900-\ufaff\\u{20000}-\\u{2ffff}";
  var UNITS = new RegExp("([" + CJK + "]+)|((?:(?![" + CJK + "])[\\p{L}\\p{N}])+" +
    "(?:[-.'\u2019](?:(?![" + CJK + "])[\\p{L}\\p{N}])+)*)", "gu");
  var SEGMENTS = /\p{Nd}+|\p{L}+/gu;
  var MAX_TERM = 64;
  var MAX_PREFIXES = 8;
  var PAGE = 10;
  var TERMINAL = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var LEADING = "#$%&'()*+,-./abcdefghijklmnopqrstuvwxyz{|}~";
  var MAX_PLACES = 999;
  var PACKED = ".json.gz";
  var PAIR = new RegExp("^[" + CJK + "]{2}$", "u");

  function normalize(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  // The units of a text: Japanese runs and words, with where they start and end.
  function units(text) {
    var found = [], match;
    UNITS.lastIndex = 0;
    while ((match = UNITS.exec(text)) !== null) {
      var unit = { start: match.index, end: match.index + match[0].length };
      if (match[1]) {
        unit.japanese = Array.from(match[1]);
      } else {
        unit.segments = match[2].match(SEGMENTS) || [];
        unit.word = unit.segments.join("");
      }
      found.push(unit);
    }
    return found;
  }

  // The first and last `count` characters of a word, counted in code points as Python
  // counts them: no term is longer than MAX_TERM (see terms.py), on either side.
  function head(word, count) {
    return Array.from(word).slice(0, count).join("");
  }

  function tail(word, count) {
    return Array.from(word).slice(-count).join("");
  }

  // A word's terms, as terms._word_terms() makes them: the word, its parts, its leading parts.
  function wordTerms(word, segments) {
    var found = [head(word, MAX_TERM)];
    if (segments.length > 1) {
      segments.forEach(function (segment) { found.push(head(segment, MAX_TERM)); });
      found = found.concat(prefixes(segments));
    }
    return found;
  }

  // The first 2, 3… parts joined, not the whole word: at most MAX_PREFIXES, each shorter than
  // MAX_TERM (a longer start of the word is cut to the word's own term).
  function prefixes(segments) {
    var found = [], prefix = segments[0], size = Array.from(prefix).length;
    var stop = Math.min(segments.length - 1, MAX_PREFIXES + 1);
    for (var n = 1; n < stop; n++) {
      var added = Array.from(segments[n]).length;
      if (size + added >= MAX_TERM) break;
      prefix += segments[n];
      size += added;
      found.push(prefix);
    }
    return found;
  }

  // Every term of a text, as terms.terms() makes them (used by the tests to compare).
  function terms(text) {
    var found = [], previous = null;
    units(normalize(text)).forEach(function (unit) {
      var first, last;
      if (unit.japanese) {
        var chars = unit.japanese;
        for (var i = 0; i + 1 < chars.length; i++) found.push(chars[i] + chars[i + 1]);
        chars.forEach(function (char) { found.push(char); });
        first = chars[0];
        last = chars[chars.length - 1];
      } else {
        wordTerms(unit.word, unit.segments).forEach(function (term) { found.push(term); });
        first = head(unit.word, MAX_TERM - 1);
        last = tail(unit.word, MAX_TERM - 1);
      }
      if (previous && previous.end === unit.start && !previous.japanese !== !unit.japanese) {
        found.push(previous.last + first);
      }
      previous = { end: unit.end, japanese: unit.japanese, last: last };
    });
    return found.filter(Boolean);
  }

  // What a query asks for: terms every result must have, terms that rank it higher, and the
  // Japanese runs of three characters or more, whose pairs must stand one after another.
  function plan(query) {
    var text = normalize(query), required = [], bonus = [], pieces = [], phrases = [];
    var list = units(text);
    list.forEach(function (unit, index) {
      var before = list[index - 1], after = list[index + 1];
      var touchesBefore = before && before.end === unit.start && !before.japanese;
      var touchesAfter = after && after.start === unit.end && !after.japanese;
      if (unit.japanese) {
        var chars = unit.japanese;
        pieces.push(chars.join(""));
        if (chars.length > 1) {
          var pairs = [];
          for (var i = 0; i + 1 < chars.length; i++) pairs.push(chars[i] + chars[i + 1]);
          required = required.concat(pairs);
          if (pairs.length > 1 && !phrases.some(function (run) { return run.join() === pairs.join(); })) {
            phrases.push(pairs);
          }
          if (touchesBefore) bonus.push(tail(before.word, MAX_TERM - 1) + chars[0]);
          if (touchesAfter) bonus.push(chars[chars.length - 1] + head(after.word, MAX_TERM - 1));
        } else {
          if (touchesBefore) required.push(tail(before.word, MAX_TERM - 1) + chars[0]);
          if (touchesAfter) required.push(chars[0] + head(after.word, MAX_TERM - 1));
          if (!touchesBefore && !touchesAfter) required.push(chars[0]);
        }
      } else if (unit.word) {
        pieces.push(unit.word);
        required.push(head(unit.word, MAX_TERM));
      }
    });
    var whole = text.split(/\s+/).map(function (piece) {
      return piece.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    });
    return {
      required: unique(required),
      bonus: unique(bonus),
      phrases: phrases,
      pieces: unique(whole.concat(pieces.sort(function (a, b) { return b.length - a.length; })))
        .filter(Boolean)
    };
  }

  function unique(list) {
    return list.filter(function (item, index) { return list.indexOf(item) === index; });
  }

  // The numbers of a postings string (postings.py): base 43, the last digit of each from
  // TERMINAL, any before it from LEADING.
  function numbers(text) {
    var found = [], current = 0;
    for (var i = 0; i < text.length; i++) {
      var lead = LEADING.indexOf(text[i]);
      if (lead >= 0) {
        current = current * LEADING.length + lead;
      } else {
        found.push(current * TERMINAL.length + TERMINAL.indexOf(text[i]));
        current = 0;
      }
    }
    return found;
  }

  // A term's postings: for each page in id order, its id, how often the term is in its title
  // and in its text, and for a pair of Japanese characters where it stands (null: too often
  // to list).
  function readPostings(term, text) {
    var list = numbers(text), pair = PAIR.test(term), found = [], at = 0, id = null;
    while (at < list.length) {
      id = id === null ? list[at] : id + list[at];
      var posting = { id: id, title: list[at + 1], text: list[at + 2] };
      var count = posting.title + posting.text;
      at += 3;
      if (pair && count <= MAX_PLACES) {
        var places = [], place = 0;
        for (var n = 0; n < count; n++) places.push(place += list[at + n]);
        posting.places = places;
        at += count;
      } else if (pair) {
        posting.places = null;
      }
      found.push(posting);
    }
    return found;
  }

  // Whether a page holds a run whose pairs stand at these places, one after another
  // (postings.holds_run); a pair with no places listed is taken as standing anywhere.
  function holdsRun(placesOfPairs) {
    var starts = null;
    for (var offset = 0; offset < placesOfPairs.length; offset++) {
      var places = placesOfPairs[offset];
      if (places === null) continue;
      var here = {};
      places.forEach(function (place) {
        if (starts === null || starts[place - offset]) here[place - offset] = true;
      });
      starts = here;
      if (!Object.keys(starts).length) return false;
    }
    return true;
  }

  // FNV-1a over UTF-16 code units: the bucket a term is in (search/index.py bucket_of).
  function bucketOf(term, buckets) {
    var value = 0x811c9dc5;
    for (var i = 0; i < term.length; i++) {
      value ^= term.charCodeAt(i);
      value = Math.imul(value, 0x01000193) >>> 0;
    }
    return value & (buckets - 1);
  }

  function Index(metaUrl) {
    this.base = metaUrl.replace(/meta\.json$/, "");
    this.cache = {};
    this.meta = fetch(metaUrl, { cache: "no-cache" }).then(function (response) {
      if (!response.ok) throw new Error("search index: " + response.status);
      return response.json();
    });
  }

  // A file of the index but meta.json: JSON compressed with gzip (search/index.py _packed),
  // inflated here unless the server already undid the compression (Content-Encoding).
  Index.prototype.file = function (name, version) {
    var url = this.base + name + PACKED + "?v=" + version;
    if (!this.cache[url]) {
      this.cache[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error("search index: " + response.status);
        return response.arrayBuffer();
      }).then(unpacked);
    }
    return this.cache[url];
  };

  function unpacked(buffer) {
    var bytes = new Uint8Array(buffer);
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      return JSON.parse(new TextDecoder().decode(bytes));
    }
    var inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(inflated).text().then(JSON.parse);
  }

  // Every page that has each required term, scored; each result: id, score, category, date.
  Index.prototype.search = function (query) {
    var self = this, wanted = plan(query);
    if (!wanted.required.length) return Promise.resolve({ plan: wanted, results: [] });
    return this.meta.then(function (meta) {
      var all = wanted.required.concat(wanted.bonus), stale = {};
      (meta.stale || []).forEach(function (id) { stale[id] = true; });
      return Promise.all(all.map(function (term) {
        return self.postings(meta, stale, term);
      })).then(function (postings) {
        var scores = null, pages = meta.pages, placed = Object.create(null);
        wanted.phrases.forEach(function (pairs) {
          pairs.forEach(function (pair) { placed[pair] = {}; });
        });
        postings.forEach(function (list, index) {
          var required = index < wanted.required.length, next = {};
          var count = list.length, term = all[index];
          var idf = Math.log(1 + (pages - count + 0.5) / (count + 0.5));
          for (var i = 0; i < list.length; i++) {
            var id = list[i].id;
            if (required && placed[term]) placed[term][id] = list[i].places;
            var body = Math.min(list[i].text, MAX_PLACES), inTitle = list[i].title ? 1 : 0;
            var score = idf * ((body * 2.2) / (body + 1.2) + 3 * inTitle);
            if (required) {
              if (scores === null || id in scores) next[id] = (scores ? scores[id] : 0) + score;
            } else if (id in scores) {
              scores[id] += score;
            }
          }
          if (required) scores = next;
        });
        // Only pages that hold each run as typed: the count and the category counts are exact.
        Object.keys(scores || {}).forEach(function (id) {
          var holds = wanted.phrases.every(function (pairs) {
            return holdsRun(pairs.map(function (pair) { return placed[pair][id]; }));
          });
          if (!holds) delete scores[id];
        });
        var ids = Object.keys(scores || {}).map(Number);
        var blocks = unique(ids.map(function (id) { return Math.floor(id / meta.block); }));
        return Promise.all(blocks.map(function (number) {
          return self.file("d/" + number, meta.blocks[number]);
        })).then(function (loaded) {
          var byNumber = {};
          blocks.forEach(function (number, index) { byNumber[number] = loaded[index]; });
          var results = ids.map(function (id) {
            var block = byNumber[Math.floor(id / meta.block)], slot = id % meta.block;
            return {
              id: id, score: scores[id], category: block.c[slot], date: block.d[slot],
              version: block.v[slot]
            };
          }).filter(function (result) { return result.category !== null; });
          results.sort(function (a, b) {
            return b.score - a.score || b.date - a.date || a.id - b.id;
          });
          return { plan: wanted, results: results, meta: meta };
        });
      });
    });
  };

  function listed(data, term) {
    return Object.prototype.hasOwnProperty.call(data, term) ? readPostings(term, data[term]) : [];
  }

  // A term's postings as merged buckets would hold them: its bucket's, less the pages
  // changed or deleted since the last merge (meta.stale), with the recent segment's (r/).
  Index.prototype.postings = function (meta, stale, term) {
    var bucket = bucketOf(term, meta.buckets), recent = meta.recent || [];
    var files = [this.file("i/" + bucket, meta.index[bucket])];
    if (recent.length) {
      var number = bucketOf(term, recent.length);
      files.push(this.file("r/" + number, recent[number]));
    }
    return Promise.all(files).then(function (loaded) {
      return merged(listed(loaded[0], term), stale, loaded[1] ? listed(loaded[1], term) : []);
    });
  };

  // Two lists of postings in id order as one, without the bucket's stale ids.
  function merged(bucket, stale, recent) {
    var list = [], i = 0, j = 0;
    while (i < bucket.length || j < recent.length) {
      if (j >= recent.length || (i < bucket.length && bucket[i].id < recent[j].id)) {
        if (!stale[bucket[i].id]) list.push(bucket[i]);
        i++;
      } else {
        list.push(recent[j]);
        j++;
      }
    }
    return list;
  }

  Index.prototype.page = function (result) {
    return this.file("f/" + result.id, result.version);
  };

  // The text with each character's place in it after normalizing: excerpts are cut from the
  // text as written while matching what the query matches.
  function normalizedWithPlaces(text) {
    var normal = "", places = [], chars = Array.from(text), offset = 0;
    chars.forEach(function (char) {
      var made = normalize(char);
      for (var i = 0; i < made.length; i++) places.push(offset);
      normal += made;
      offset += char.length;
    });
    places.push(text.length);
    return { text: normal, places: places };
  }

  // Where in `text` each piece of the query is: [start, end) ranges in the original text.
  function matches(text, pieces) {
    var normal = normalizedWithPlaces(text), found = [];
    pieces.forEach(function (piece) {
      var from = 0, at;
      while (piece && (at = normal.text.indexOf(piece, from)) !== -1) {
        found.push([normal.places[at], normal.places[at + piece.length], pieces.indexOf(piece)]);
        from = at + piece.length;
      }
    });
    return found;
  }

  var WORD_CHAR = /[\p{L}\p{N}]/u;

  // About `length` characters of `text`, starting at the query's first match: at the start
  // of its sentence when that is near, never inside a number or a word.
  function excerpt(text, pieces, length) {
    var found = matches(text, pieces);
    var start = 0;
    if (found.length) {
      var best = found.reduce(function (a, b) {
        return b[2] < a[2] || (b[2] === a[2] && b[0] < a[0]) ? b : a;
      });
      start = best[0];
      var sentence = Math.max(text.lastIndexOf("。", start - 1), text.lastIndexOf("\n", start - 1));
      if (sentence >= 0 && start - sentence <= 30) start = sentence + 1;
      else if (start - 30 <= 0) start = 0;
      while (start > 0 && WORD_CHAR.test(text[start - 1]) && !/[\u3000-\u9fff]/.test(text[start - 1])) start--;
    }
    var end = Math.min(text.length, start + length);
    while (end < text.length && end - start < length + 20 && WORD_CHAR.test(text[end]) &&
      WORD_CHAR.test(text[end - 1]) && !/[\u3000-\u9fff]/.test(text[end])) end++;
    var shown = text.slice(start, end).replace(/\s+/g, " ");
    return {
      text: shown,
      before: start > 0,
      after: end < text.length,
      marks: matches(shown, pieces)
    };
  }

  // `text` into `element` with the ranges marked: text nodes only, never markup.
  function marked(element, text, ranges) {
    var cut = [];
    ranges.slice().sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; }).forEach(function (range) {
      var last = cut[cut.length - 1];
      if (last && range[0] < last[1]) last[1] = Math.max(last[1], range[1]);
      else cut.push([range[0], range[1]]);
    });
    var at = 0;
    cut.forEach(function (range) {
      element.appendChild(document.createTextNode(text.slice(at, range[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(range[0], range[1]);
      element.appendChild(mark);
      at = range[1];
    });
    element.appendChild(document.createTextNode(text.slice(at)));
    return element;
  }

  function element(name, className) {
    var made = document.createElement(name);
    if (className) made.className = className;
    return made;
  }

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return values[name]; });
  }

  function start() {
    var form = document.getElementById("search");
    if (!form) return;
    var input = document.getElementById("search-query");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var more = document.getElementById("search-more");
    var radios = Array.prototype.slice.call(form.querySelectorAll("input[name=category]"));
    var index = new Index(form.getAttribute("data-index"));
    var current = null, shown = 0, asked = 0, timer = null;

    function everyBox(query) {
      Array.prototype.forEach.call(document.querySelectorAll("input[name=q]"), function (box) {
        if (box.value !== query) box.value = query;
      });
    }

    function chosen() {
      var checked = radios.filter(function (radio) { return radio.checked; })[0];
      return checked && checked.value !== "" ? Number(checked.value) : null;
    }

    function visible() {
      var category = chosen();
      return current.results.filter(function (result) {
        return category === null || result.category === category;
      });
    }

    function counts() {
      var tally = {};
      current.results.forEach(function (result) {
        tally[result.category] = (tally[result.category] || 0) + 1;
      });
      radios.forEach(function (radio) {
        var count = radio.value === "" ? current.results.length : tally[Number(radio.value)] || 0;
        radio.parentNode.querySelector(".search-count").textContent = "(" + count + ")";
      });
    }

    // The next results, added all at once when their texts are in: nothing already shown
    // moves while they load.
    function showMore() {
      var results = visible(), page = results.slice(shown, shown + PAGE), ticket = asked;
      shown += page.length;
      var last = shown >= results.length;
      list.setAttribute("aria-busy", "true");
      Promise.all(page.map(function (result) { return index.page(result); })).then(function (texts) {
        if (ticket !== asked) return;
        texts.forEach(function (data) {
          var item = element("li", "search-result");
          var title = element("h2", "search-result-title");
          var link = element("a");
          link.href = data.url;
          marked(link, data.title, matches(data.title, current.plan.pieces));
          title.appendChild(link);
          var meta = element("p", "search-result-meta");
          [data.category, data.date].filter(Boolean).forEach(function (part) {
            meta.appendChild(element("span")).textContent = part;
          });
          var cut = excerpt(data.text, current.plan.pieces, 110);
          var text = element("p", "search-result-excerpt");
          if (cut.before) text.appendChild(document.createTextNode("…"));
          marked(text, cut.text, cut.marks);
          if (cut.after) text.appendChild(document.createTextNode("…"));
          item.appendChild(title);
          item.appendChild(meta);
          item.appendChild(text);
          list.appendChild(item);
        });
        more.hidden = last;
        list.setAttribute("aria-busy", "false");
      }, function () {
        if (ticket === asked) status.textContent = form.getAttribute("data-failed");
      });
    }

    function render() {
      list.textContent = "";
      more.hidden = true;
      shown = 0;
      var query = input.value.trim();
      var results = visible();
      status.textContent = say(form.getAttribute(results.length ? "data-found" : "data-none"), {
        q: query, n: results.length
      });
      counts();
      showMore();
    }

    function run() {
      var query = input.value.trim(), ticket = ++asked;
      var address = new URL(location.href);
      if (query) address.searchParams.set("q", query);
      else address.searchParams.delete("q");
      history.replaceState(null, "", address);
      everyBox(input.value);
      if (!query) {
        current = null;
        list.textContent = "";
        list.setAttribute("aria-busy", "false");
        status.textContent = "";
        more.hidden = true;
        return;
      }
      status.textContent = form.getAttribute("data-loading");
      list.setAttribute("aria-busy", "true");
      index.search(query).then(function (found) {
        if (ticket !== asked) return;
        current = found;
        render();
      }, function () {
        if (ticket === asked) status.textContent = form.getAttribute("data-failed");
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run();
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () { if (current) render(); });
    });
    more.addEventListener("click", showMore);
    var query = new URLSearchParams(location.search).get("q") || "";
    input.value = query;
    if (query) run();
    else everyBox("");
  }

  var api = {
    normalize: normalize, terms: terms, plan: plan, bucketOf: bucketOf, excerpt: excerpt, Index: Index
  };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.blogsmithSearch = api;
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})(this);
