// "Exit this page": leaves for a neutral page and replaces this page's entry in the history, so Back does not
// return to it. Shift pressed three times does the same (the GOV.UK Design System's pattern).
(function () {
  var button = document.querySelector("[data-exit-this-page]");
  if (!button) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.innerHTML = "";
    document.title = "Loading…";
    window.location.replace(button.href);
  }
  button.addEventListener("click", leave);
  var presses = 0, timer = null;
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { presses = 0; return; }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 2000);
    if (presses >= 3) { leave(); }
  });
})();
