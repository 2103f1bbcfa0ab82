'use strict';
// Replay studio: thumbnails share their screenshot's one embedded copy; a click on any
// screenshot enlarges it. Record text is never read as HTML here.
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
})();
