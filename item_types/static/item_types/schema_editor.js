/* The schema editor's pages in the admin (item_types/admin): plain JS, no build.
 *
 * A field's page: the type select reloads the page for that type's validators and
 * editors; typing in a validator's inputs turns it on; only the chosen editor's
 * parameters show. A model's page: fields and fieldsets move by drag or by the arrows,
 * and "Save the order" posts the new order (positions from 1 in each list). */
(function () {
  "use strict";

  function fieldPage() {
    var type = document.getElementById("id_field_type");
    if (!type) return;
    type.addEventListener("change", function () {
      var params = new URLSearchParams(window.location.search);
      params.set("field_type", type.value);
      var itemType = document.getElementById("id_item_type");
      if (itemType && itemType.value) params.set("item_type", itemType.value);
      // On the add page, what was typed comes back as the form's initial values.
      ["label", "api_key"].forEach(function (name) {
        var input = document.getElementById("id_" + name);
        if (input && input.value) params.set(name, input.value);
      });
      window.location.search = params.toString();
    });

    document.querySelectorAll("fieldset.cms-validator").forEach(function (group) {
      var on = group.querySelector("input.cms-validator-switch");
      if (!on) return;
      group.addEventListener("input", function (event) {
        if (event.target !== on) on.checked = true;
      });
    });

    var editor = document.getElementById("id_editor");
    if (!editor) return;
    function showEditor() {
      document.querySelectorAll("fieldset.cms-editor-params").forEach(function (group) {
        group.hidden = !group.classList.contains("cms-editor-" + editor.value);
      });
    }
    editor.addEventListener("change", showEditor);
    showEditor();
  }

  function modelPage() {
    var layout = document.querySelector(".cms-layout");
    if (!layout) return;
    var save = document.getElementById("cms-save-order");
    var note = document.getElementById("cms-order-note");
    var dragged = null;

    function changed() {
      save.disabled = false;
      note.textContent = "Not saved yet.";
    }

    function siblingEntry(entry, next) {
      var node = next ? entry.nextElementSibling : entry.previousElementSibling;
      while (node && !node.classList.contains("cms-layout-entry")) {
        node = next ? node.nextElementSibling : node.previousElementSibling;
      }
      return node;
    }

    layout.addEventListener("click", function (event) {
      var button = event.target.closest("button.cms-move-up, button.cms-move-down");
      if (!button) return;
      var entry = button.closest(".cms-layout-entry");
      var down = button.classList.contains("cms-move-down");
      var other = siblingEntry(entry, down);
      if (!other) return;
      entry.parentNode.insertBefore(down ? other : entry, down ? entry : other);
      button.focus();
      changed();
    });

    // Drag: a field drops into any list (into a fieldset, or out of it); a fieldset
    // only among the top-level entries.
    layout.addEventListener("dragstart", function (event) {
      dragged = event.target.closest(".cms-layout-entry");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.id);
      event.stopPropagation();
    });
    layout.addEventListener("dragover", function (event) {
      if (!dragged) return;
      var list = event.target.closest(".cms-layout-list");
      if (!list || (dragged.dataset.type === "fieldset" && list.dataset.fieldset)) return;
      if (dragged.contains(list)) return;
      event.preventDefault();
      var over = event.target.closest(".cms-layout-entry");
      if (over && over !== dragged && over.parentNode === list) {
        var box = over.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? over.nextSibling : over);
      } else if (!over) {
        list.appendChild(dragged);
      }
    });
    layout.addEventListener("dragend", function () {
      if (dragged) changed();
      dragged = null;
    });

    function order() {
      var entries = [];
      layout.querySelectorAll(".cms-layout-list").forEach(function (list) {
        var position = 0;
        Array.prototype.forEach.call(list.children, function (entry) {
          if (!entry.classList.contains("cms-layout-entry")) return;
          position += 1;
          entries.push({
            type: entry.dataset.type,
            id: entry.dataset.id,
            position: position,
            fieldset: list.dataset.fieldset || null,
          });
        });
      });
      return entries;
    }

    save.addEventListener("click", function () {
      var form = document.createElement("form");
      form.method = "post";
      form.action = layout.dataset.reorderUrl;
      var token = document.querySelector("input[name=csrfmiddlewaretoken]");
      [["csrfmiddlewaretoken", token ? token.value : ""], ["order", JSON.stringify(order())]]
        .forEach(function (pair) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = pair[0];
          input.value = pair[1];
          form.appendChild(input);
        });
      document.body.appendChild(form);
      save.disabled = true;
      form.submit();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    fieldPage();
    modelPage();
  });
})();
