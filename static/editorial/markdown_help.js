/*
 * Help beside a Markdown field of the editorial admin (monographs/admin/widgets.py,
 * MarkdownEditor): a preview rendered by the server with the public page's renderer, and
 * a picker that finds a citation by title, author, key or year and inserts its [@key] at
 * the cursor. The preview follows the text as it is typed, a moment after typing stops.
 * Both talk to small admin endpoints (monographs/admin/markdown.py) and insert only what
 * the server sanitised (the preview) or plain text (everything else).
 */
(function () {
  "use strict";

  var DELAY_MS = 350;

  function csrfToken(element) {
    var form = element.closest("form");
    var field = form && form.querySelector("input[name='csrfmiddlewaretoken']");
    return field ? field.value : "";
  }

  function later(callback) {
    var timer = null;
    return function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(callback, DELAY_MS);
    };
  }

  function listItems(list, texts) {
    list.textContent = "";
    texts.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
  }

  function setUp(box) {
    var textarea = box.querySelector("textarea");
    var html = box.querySelector(".markdown-help__html");
    var references = box.querySelector(".markdown-help__references");
    var findings = box.querySelector(".markdown-help__findings");
    var status = box.querySelector(".markdown-help__status");
    var search = box.querySelector(".markdown-help__picker input");
    var results = box.querySelector(".markdown-help__results");
    var asked = 0;

    function preview() {
      var number = ++asked;
      var body = new FormData();
      body.append("text", textarea.value);
      body.append("where", box.dataset.where || "");
      fetch(box.dataset.previewUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(box) },
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          if (number !== asked) {
            return; // a later preview is on its way
          }
          if (answer.error) {
            status.textContent = answer.error;
            return;
          }
          html.innerHTML = answer.html; // sanitised by the server's renderer
          listItems(
            references,
            answer.references.map(function (reference) {
              return reference.text;
            })
          );
          listItems(findings, answer.findings);
          box.dataset.previewed = "true";
        })
        .catch(function () {
          status.textContent = "The preview could not be loaded; the text is not affected.";
        });
    }

    function insert(cite) {
      var start = textarea.selectionStart;
      var end = textarea.selectionEnd;
      var before = textarea.value.slice(0, start);
      var spaced = before && !/\s$/.test(before) ? " " + cite : cite;
      textarea.setRangeText(spaced, start, end, "end");
      textarea.focus();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      status.textContent = "Inserted " + cite + ".";
    }

    function closeResults() {
      results.hidden = true;
      results.textContent = "";
    }

    function find() {
      var text = search.value.trim();
      if (!text) {
        closeResults();
        return;
      }
      fetch(box.dataset.pickerUrl + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          results.textContent = "";
          if (!answer.results.length) {
            status.textContent = "No citation matches '" + text + "'.";
            results.hidden = true;
            return;
          }
          status.textContent = answer.results.length + " found: choose one to cite it.";
          answer.results.forEach(function (result) {
            var item = document.createElement("li");
            var button = document.createElement("button");
            var key = document.createElement("code");
            button.type = "button";
            button.setAttribute("role", "option");
            button.dataset.cite = result.cite;
            key.textContent = result.cite;
            button.appendChild(key);
            button.appendChild(document.createTextNode(" " + result.label));
            button.addEventListener("click", function () {
              insert(result.cite);
              search.value = "";
              closeResults();
            });
            item.appendChild(button);
            results.appendChild(item);
          });
          results.hidden = false;
        });
    }

    textarea.addEventListener("input", later(preview));
    search.addEventListener("input", later(find));
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // searching never submits the editor's form
        find();
      } else if (event.key === "Escape") {
        closeResults();
      }
    });
    preview();
  }

  function start() {
    document.querySelectorAll(".markdown-help").forEach(function (box) {
      if (!box.closest(".empty-form") && !box.dataset.markdownHelp) {
        box.dataset.markdownHelp = "on";
        setUp(box);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
