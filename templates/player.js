// The site's script. On every page: the copy buttons (the feed's address).
// On an episode's page, the player: its controls (play/pause, back 15 s,
// forward 30 s, speed, a scrubber with the chapters marked), seeking from
// timestamps and transcript words, the word being spoken highlighted and
// followed down the transcript, the current paragraph and chapter marked,
// a deep link's time (#t=90, #t=1:30, #t=1:02:03), "share from here", and
// search in the transcript.
(function () {
  "use strict";

  function all(root, selector) {
    return root ? Array.prototype.slice.call(root.querySelectorAll(selector)) : [];
  }

  // Copy a text to the clipboard; the status element says whether it worked.
  function copy(text, input, status) {
    function done(ok) {
      if (status) status.textContent = ok ? "Copied" : "Select the text to copy it";
      if (!ok && input) input.select();
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    } else {
      done(false);
    }
  }

  all(document, "button.copy[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.dataset.copy);
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(input.value, input, button.parentNode.querySelector(".copy-status"));
    });
  });

  var player = document.getElementById("player");
  if (!player) return;
  var transcript = document.getElementById("transcript");
  var words = all(transcript, "[data-t]");
  var starts = words.map(function (w) { return parseFloat(w.dataset.t); });
  var paras = all(transcript, ".para");
  var paraStarts = paras.map(function (p) { return parseFloat(p.dataset.start); });
  var chapters = all(document.getElementById("chapters"), "li[data-start]");
  var chapterStarts = chapters.map(function (c) { return parseFloat(c.dataset.start); });
  var followButton = document.getElementById("follow");
  var following = true;
  var nowWord = null;
  var nowPara = null;
  var nowChapter = null;

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

  // The index of the last of the sorted times that is at or before t (binary search), or -1.
  function lastAtOrBefore(times, t) {
    var lo = 0, hi = times.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (times[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function wordAt(t) { return lastAtOrBefore(starts, t); }

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
    var p = lastAtOrBefore(paraStarts, t);
    var para = p >= 0 && t < parseFloat(paras[p].dataset.end) ? paras[p] : null;
    if (para !== nowPara) {
      if (nowPara) nowPara.classList.remove("current");
      if (para) para.classList.add("current");
      nowPara = para;
    }
    var c = lastAtOrBefore(chapterStarts, t);
    var chapter = c >= 0 ? chapters[c] : null;
    if (chapter !== nowChapter) {
      if (nowChapter) { nowChapter.classList.remove("current"); nowChapter.removeAttribute("aria-current"); }
      if (chapter) { chapter.classList.add("current"); chapter.setAttribute("aria-current", "true"); }
      nowChapter = chapter;
    }
    showTime(t);
  }

  // The controls: shown, and the browser's own hidden, only when this script runs.
  var controls = document.getElementById("controls");
  var playButton = document.getElementById("play");
  var bar = document.getElementById("seek-bar");
  var elapsed = document.getElementById("elapsed");

  function clock(t) {
    var s = Math.max(0, Math.floor(t)), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    s = s % 60;
    return (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function showTime(t) {
    if (elapsed) elapsed.textContent = clock(t);
    if (bar && !bar.matches(":active")) {
      bar.value = String(Math.floor(t));
      bar.setAttribute("aria-valuetext", clock(t));
    }
  }

  function showPlaying() {
    if (!playButton) return;
    var label = player.paused ? "Play" : "Pause";
    playButton.textContent = label;
    playButton.setAttribute("aria-label", label);
  }

  function markChapters() {
    var marks = document.getElementById("marks");
    var duration = player.duration;
    if (!marks || !isFinite(duration) || duration <= 0) return;
    marks.textContent = "";
    chapterStarts.forEach(function (start, i) {
      if (start <= 0) return;
      var mark = document.createElement("span");
      mark.className = "mark";
      mark.style.left = (100 * start / duration) + "%";
      mark.title = chapters[i].textContent.trim();
      marks.appendChild(mark);
    });
    if (bar) bar.max = String(Math.ceil(duration));
  }

  if (controls) {
    controls.hidden = false;
    player.controls = false;
    playButton.addEventListener("click", function () {
      if (player.paused) {
        var playing = player.play();
        if (playing) playing.catch(function () {});
      } else {
        player.pause();
      }
    });
    document.getElementById("back").addEventListener("click", function () {
      player.currentTime = Math.max(0, player.currentTime - 15);
    });
    document.getElementById("forward").addEventListener("click", function () {
      var end = isFinite(player.duration) ? player.duration : Infinity;
      player.currentTime = Math.min(end, player.currentTime + 30);
    });
    var speed = document.getElementById("speed");
    speed.addEventListener("change", function () { player.playbackRate = parseFloat(speed.value); });
    player.addEventListener("ratechange", function () {
      if (parseFloat(speed.value) !== player.playbackRate) speed.value = String(player.playbackRate);
    });
    bar.addEventListener("input", function () {
      player.currentTime = parseFloat(bar.value);
      bar.setAttribute("aria-valuetext", clock(player.currentTime));
    });
    player.addEventListener("play", showPlaying);
    player.addEventListener("pause", showPlaying);
    if (player.readyState >= 1) markChapters();
    player.addEventListener("loadedmetadata", markChapters);
    player.addEventListener("durationchange", markChapters);

    // Share from here: a link to this page at the current second.
    var shareLink = document.getElementById("share-link");
    document.getElementById("share").addEventListener("click", function () {
      var link = location.href.split("#")[0] + "#t=" + Math.floor(player.currentTime);
      shareLink.value = link;
      shareLink.hidden = false;
      copy(link, shareLink, document.getElementById("share-status"));
    });
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
  // Next is the form's submit button: Enter in the search box goes to the next match too.
  search.addEventListener("submit", function (event) { event.preventDefault(); step(1); });
  document.getElementById("search-prev").addEventListener("click", function () { step(-1); });
})();
