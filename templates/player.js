// The episode page's player: seek from timestamps and transcript words,
// highlight the word being spoken, follow it down the transcript, and start
// at a deep link's time (#t=90, #t=1:30, #t=1:02:03).
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) return;
  var transcript = document.getElementById("transcript");
  var words = transcript ? Array.prototype.slice.call(transcript.querySelectorAll("[data-t]")) : [];
  var starts = words.map(function (w) { return parseFloat(w.dataset.t); });
  var segments = transcript ? Array.prototype.slice.call(transcript.querySelectorAll(".segment")) : [];
  var followButton = document.getElementById("follow");
  var following = true;
  var nowWord = null;
  var nowSegment = null;

  function seek(t) {
    if (!isFinite(t)) return;
    player.currentTime = t;
    var playing = player.play();
    if (playing) playing.catch(function () {});  // a pause before playback starts is fine
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-t], [data-start].seek");
    if (!el) return;
    event.preventDefault();
    seek(parseFloat(el.dataset.t !== undefined ? el.dataset.t : el.dataset.start));
    follow(true);
  });

  // The last word that starts at or before t (binary search), or -1.
  function wordAt(t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function follow(on) {
    following = on;
    if (followButton) followButton.hidden = on;
    if (on && nowWord) nowWord.scrollIntoView({ block: "center" });
  }

  function update() {
    var t = player.currentTime;
    var i = wordAt(t);
    var word = i >= 0 ? words[i] : null;
    if (word !== nowWord) {
      if (nowWord) nowWord.classList.remove("now");
      if (word) word.classList.add("now");
      nowWord = word;
      if (word && following && !player.paused) word.scrollIntoView({ block: "center" });
    }
    var segment = null;
    segments.forEach(function (seg) {
      if (t >= parseFloat(seg.dataset.start) && t < parseFloat(seg.dataset.end)) segment = seg;
    });
    if (segment !== nowSegment) {
      if (nowSegment) nowSegment.classList.remove("current");
      if (segment) segment.classList.add("current");
      nowSegment = segment;
    }
  }

  // Deep links: #t=90, #t=1:30 or #t=1:02:03 (a media fragment's start) start the player there.
  function parseTime(text) {
    var value = text.replace(/^npt:/, "").split(",")[0];
    if (!/^\d+(\.\d+)?$|^\d+:\d{1,2}(\.\d+)?$|^\d+:\d{1,2}:\d{1,2}(\.\d+)?$/.test(value)) return NaN;
    return value.split(":").reduce(function (total, part) { return total * 60 + parseFloat(part); }, 0);
  }

  function startFromHash() {
    var match = /(?:^#|&)t=([^&]+)/.exec(location.hash);
    if (!match) return;
    var t = parseTime(decodeURIComponent(match[1]));
    if (!isFinite(t)) return;
    if (player.readyState >= 1) seek(t);
    else player.addEventListener("loadedmetadata", function () { seek(t); }, { once: true });
  }

  window.addEventListener("hashchange", startFromHash);
  startFromHash();

  player.addEventListener("timeupdate", update);
  player.addEventListener("seeked", update);

  // The listener scrolling (wheel, touch, keys) pauses follow mode; the button resumes it.
  function listenerScrolled() { if (following) follow(false); }
  window.addEventListener("wheel", listenerScrolled, { passive: true });
  window.addEventListener("touchmove", listenerScrolled, { passive: true });
  window.addEventListener("keydown", function (event) {
    if (["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End", " "].indexOf(event.key) >= 0 &&
        event.target === document.body) listenerScrolled();
  });
  if (followButton) followButton.addEventListener("click", function () { follow(true); });

  // Search: the words that match the query (the last query word may be the start of a word).
  var search = document.getElementById("search");
  if (!search || !words.length) return;
  var query = document.getElementById("search-q");
  var count = document.getElementById("search-count");
  var normal = words.map(function (w) { return w.textContent.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ""); });
  var hits = [];
  var hit = -1;
  search.hidden = false;

  function find() {
    hits.forEach(function (i) { words[i].classList.remove("hit", "hit-now"); });
    hits = [];
    var terms = query.value.toLowerCase().split(/\s+/).map(function (t) {
      return t.replace(/[^\p{L}\p{N}]+/gu, "");
    }).filter(Boolean);
    if (terms.length) {
      for (var i = 0; i + terms.length <= normal.length; i++) {
        var ok = terms.every(function (term, j) {
          return j === terms.length - 1 ? normal[i + j].indexOf(term) === 0 : normal[i + j] === term;
        });
        if (ok) hits.push(i);
      }
    }
    hits.forEach(function (i) { words[i].classList.add("hit"); });
    show(hits.length ? 0 : -1);
  }

  function show(index) {
    if (hit >= 0 && hit < hits.length) words[hits[hit]].classList.remove("hit-now");
    hit = index;
    if (hit < 0) {
      count.textContent = query.value.trim() ? "No matches" : "";
      return;
    }
    var word = words[hits[hit]];
    word.classList.add("hit-now");
    follow(false);
    word.scrollIntoView({ block: "center" });
    count.textContent = (hit + 1) + " of " + hits.length;
  }

  function step(by) { if (hits.length) show((hit + by + hits.length) % hits.length); }

  query.addEventListener("input", find);
  search.addEventListener("submit", function (event) { event.preventDefault(); step(1); });
  document.getElementById("search-next").addEventListener("click", function () { step(1); });
  document.getElementById("search-prev").addEventListener("click", function () { step(-1); });
})();
