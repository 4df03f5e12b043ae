/* The record editor: renders a model's fields (from the configuration the page carries,
   items/admin_editor/form.py) with one widget per field type, a tab per locale for
   localized fields, blocks edited with their own models' fields, and each error next to
   the field and locale it belongs to. On submit the form values go in one hidden field. */
(function () {
  "use strict";
  const RE = (window.RecordEditor = window.RecordEditor || {});
  const el = (...args) => RE.el(...args);

  /* One field's row: label, hint, and its widget, or a tab per locale. */
  function fieldRow(ctx, field, values, path) {
    const widget = RE.widgets[field.widget];
    const row = el("div", { class: "re-field", "data-path": [...path, field.api_key].join("/"),
      "data-field": field.api_key });
    row.append(el("label", { class: field.required ? "required" : "", text: field.label }),
      field.hint ? el("div", { class: "help", text: field.hint }) : "");
    if (!field.localized) {
      row.append(widget(field, values[field.api_key], (v) => { values[field.api_key] = v; },
        ctx, [...path, field.api_key]));
      return row;
    }
    const perLocale = (values[field.api_key] = values[field.api_key] || {});
    const tabs = el("div", { class: "re-tabs", role: "tablist" });
    const panels = el("div", { class: "re-panels" });
    ctx.locales.forEach((locale, i) => {
      const panel = el("div", { class: "re-panel", "data-path": [...path, field.api_key, locale].join("/"),
        "data-locale": locale, hidden: i > 0 });
      panel.append(widget(field, perLocale[locale], (v) => { perLocale[locale] = v; }, ctx,
        [...path, field.api_key, locale]));
      const tab = el("button", { type: "button", class: "re-tab" + (i === 0 ? " re-active" : ""),
        role: "tab", "data-locale": locale, text: locale,
        onclick: () => showLocale(row, locale) });
      tabs.append(tab);
      panels.append(panel);
    });
    row.append(tabs, panels);
    return row;
  }

  function showLocale(row, locale) {
    row.querySelectorAll(":scope > .re-tabs > .re-tab").forEach((tab) =>
      tab.classList.toggle("re-active", tab.dataset.locale === locale));
    row.querySelectorAll(":scope > .re-panels > .re-panel").forEach((panel) => {
      panel.hidden = panel.dataset.locale !== locale;
    });
  }

  /* A model's fields (a record's, or a block's). `path` prefixes each field's data-path. */
  RE.renderFields = function (ctx, modelId, values, path) {
    const model = ctx.models[modelId];
    const box = el("div", { class: "re-fields" });
    if (!model) return el("p", { class: "re-hint", text: "An existing block, kept as it is." });
    for (const field of model.fields) box.append(fieldRow(ctx, field, values, path));
    return box;
  };

  /* Blocks: cards of an allowed block model's fields; add, move up/down, remove. A single
     block field has at most one (its path has no index, as the API's errors name it). */
  RE.blockList = function (ctx, models, blocks, set, path, multiple) {
    const list = [...blocks];
    const box = el("div", { class: "re-blocks" });
    function draw() {
      const cards = list.map((block, i) => {
        const model = ctx.models[block.item_type] || { name: "Block" };
        block.fields = block.fields || {};
        const actions = el("span", { class: "re-actions" },
          multiple ? el("button", { type: "button", class: "re-icon re-up", title: "Move up", text: "↑",
            disabled: i === 0, onclick: () => move(i, -1) }) : null,
          multiple ? el("button", { type: "button", class: "re-icon re-down", title: "Move down", text: "↓",
            disabled: i === list.length - 1, onclick: () => move(i, 1) }) : null,
          el("button", { type: "button", class: "re-icon re-remove", title: "Remove", text: "✕",
            onclick: () => { list.splice(i, 1); changed(); } }));
        const blockPath = multiple ? [...path, String(i)] : path;
        return el("div", { class: "re-block", "data-model": model.api_key || "",
          "data-path": blockPath.join("/") },
          el("div", { class: "re-block-head" }, el("strong", { text: model.name }), actions),
          RE.renderFields(ctx, block.item_type, block.fields, blockPath));
      });
      const choice = el("select", { class: "re-block-model" },
        (models || []).map((id) => el("option", { value: id, text: (ctx.models[id] || {}).name || id })));
      const add = (multiple || !list.length) && (models || []).length
        ? el("div", { class: "re-add" }, choice,
          el("button", { type: "button", class: "button re-add-block", text: "Add block",
            onclick: () => { list.push({ id: null, item_type: choice.value, fields: {} }); changed(); } }))
        : null;
      box.replaceChildren(...cards, add || "");
    }
    function move(i, by) {
      [list[i], list[i + by]] = [list[i + by], list[i]];
      changed();
    }
    function changed() { set(list); draw(); }
    draw();
    return box;
  };

  /* Each error next to the element whose path is the longest prefix of the error's. */
  function showErrors(root, errors) {
    for (const error of errors) {
      let path = [...error.path];
      let target = null;
      while (path.length && !target) {
        target = root.querySelector(`[data-path="${CSS.escape(path.join("/"))}"]`);
        path.pop();
      }
      target = target || root;
      const list = el("ul", { class: "errorlist re-error" }, el("li", { text: error.message }));
      /* Below a field's label and hint, else first in its element. */
      const after = target.classList.contains("re-field") &&
        (target.querySelector(":scope > .help") || target.querySelector(":scope > label"));
      if (after) after.after(list); else target.prepend(list);
      target.classList.add("re-invalid");
      /* A localized value's error: its tab is marked and shown. */
      const panel = target.closest(".re-panel");
      if (panel) {
        const row = panel.closest(".re-field");
        row.querySelector(`:scope > .re-tabs > [data-locale="${panel.dataset.locale}"]`)
          .classList.add("re-tab-invalid");
        showLocale(row, panel.dataset.locale);
      }
    }
  }

  function start() {
    const root = document.getElementById("record-editor");
    const source = document.getElementById("record-editor-config");
    if (!root || !source) return;
    const config = JSON.parse(source.textContent);
    const hidden = document.getElementById("id_values");
    const typeChoice = document.getElementById("id_item_type");
    if (typeChoice && !typeChoice.disabled) {
      /* The editor is the model's: choosing a model (when adding) loads its editor. */
      typeChoice.addEventListener("change", () => {
        const url = new URL(window.location.href);
        url.searchParams.set("item_type", typeChoice.value);
        window.location.href = url.toString();
      });
    }
    if (!config.item_type) {
      root.append(el("p", { class: "re-hint", text: "Choose the record's model first." }));
      return;
    }
    const ctx = { ...config, labels: { records: {}, uploads: {}, ...(config.labels || {}) } };
    const values = config.values || {};
    root.append(el("div", { class: "re-record" }, RE.renderFields(ctx, config.item_type, values, [])));
    showErrors(root, config.errors || []);
    hidden.form.addEventListener("submit", () => {
      hidden.value = JSON.stringify({ values, labels: ctx.labels });
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
