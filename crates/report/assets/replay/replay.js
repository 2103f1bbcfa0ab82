'use strict';
// Replay studio: thumbnails share their screenshot's one embedded copy; a click on any
// screenshot enlarges it; the run's console and network lists are filtered by hiding rows.
// Record text is never read as HTML here: only textContent and attributes are read.
(function () {
  document.querySelectorAll('img.thumb[data-shot]').forEach(function (thumb) {
    var figure = document.getElementById(thumb.getAttribute('data-shot'));
    var full = figure && figure.querySelector('img.full');
    if (full) thumb.src = full.src;
  });
  var box = document.getElementById('lightbox');
  var big = document.getElementById('lightbox-img');
  var caption = document.getElementById('lightbox-caption');
  function close() {
    box.hidden = true;
    big.removeAttribute('src');
  }
  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!box.hidden) {
      close();
      event.preventDefault();
      return;
    }
    if (target instanceof HTMLImageElement && target.src &&
        (target.classList.contains('thumb') || target.classList.contains('full'))) {
      event.preventDefault();
      big.src = target.src;
      caption.textContent = target.alt;
      box.hidden = false;
    }
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && !box.hidden) close();
  });
  // A list filtered by its text box and one more control (`keep` says if a row passes it).
  function filter(name, other, keep) {
    var table = document.getElementById(name + '-list');
    var text = document.getElementById(name + '-text');
    var more = document.getElementById(name + '-' + other);
    var count = document.getElementById(name + '-count');
    if (!table || !text || !more) return;
    var rows = table.tBodies[0].rows;
    function apply() {
      var needle = text.value.trim().toLowerCase();
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i];
        var pass = keep(row, more) &&
          (!needle || row.textContent.toLowerCase().indexOf(needle) !== -1);
        row.hidden = !pass;
        if (pass) shown++;
      }
      if (count) count.textContent = shown + ' of ' + rows.length + ' shown';
    }
    text.addEventListener('input', apply);
    more.addEventListener('change', apply);
    apply();
  }
  filter('console', 'level', function (row, select) {
    return !select.value || row.getAttribute('data-level') === select.value;
  });
  filter('network', 'failed', function (row, box) {
    return !box.checked || row.classList.contains('bad');
  });
})();
