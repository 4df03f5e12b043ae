/* The record editor's widgets, one per field type's widget name (items/admin_editor/widgets.py
   names them). A widget is function(field, value, set, ctx, path) -> element: it shows a
   form value and calls set(newValue) on every change. */
(function () {
  "use strict";
  const RE = (window.RecordEditor = window.RecordEditor || {});

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }
  RE.el = el;

  function input(type, value, set, attrs) {
    return el("input", { type, value: value ?? "", class: "vTextField", ...attrs,
      oninput: (e) => set(e.target.value) });
  }

  function labelled(text, control) {
    return el("label", { class: "re-sub" }, el("span", { text }), control);
  }

  /* An object of text inputs (SEO, video, lat/lon). */
  function subForm(keys, value, set, types) {
    const current = { ...(value || {}) };
    return el("div", { class: "re-subform" }, keys.map(([key, label]) =>
      labelled(label, input((types || {})[key] || "text", current[key], (v) => {
        current[key] = v; set({ ...current });
      }, { "data-key": key }))));
  }

  const W = (RE.widgets = {});
  W.text = (field, value, set, ctx, path) => {
    const choices = field.options.choices;
    if (choices && choices.length) {
      return el("select", { onchange: (e) => set(e.target.value) },
        el("option", { value: "", text: "—" }),
        choices.map((c) => el("option", { value: c, text: c, selected: c === value })));
    }
    const locale = field.localized ? path[path.length - 1] : "";
    return input("text", value, set, { "data-api-key": field.api_key, "data-locale": locale });
  };
  W.textarea = (field, value, set) =>
    el("textarea", { class: "vLargeTextField", rows: 6, oninput: (e) => set(e.target.value) },
      value || "");
  W.json = (field, value, set) =>
    el("textarea", { class: "vLargeTextField re-mono", rows: 6, oninput: (e) => set(e.target.value) },
      value || "");
  W.integer = (field, value, set) => input("number", value, set, { step: 1 });
  W.float = (field, value, set) => input("number", value, set, { step: "any" });
  W.date = (field, value, set) => input("date", value, set);
  W.date_time = (field, value, set) =>
    el("span", {}, input("datetime-local", value, set, { step: 1 }), el("span", { class: "re-hint", text: " UTC" }));
  W.checkbox = (field, value, set) =>
    el("input", { type: "checkbox", checked: !!value, onchange: (e) => set(e.target.checked) });

  W.color = (field, value, set) => {
    const current = { hex: "", alpha: "255", ...(value || {}) };
    const update = () => set({ ...current });
    const text = input("text", current.hex, (v) => { current.hex = v; picker.value = v; update(); },
      { placeholder: "#rrggbb", size: 8, class: "re-short" });
    const picker = el("input", { type: "color", value: current.hex || "#000000",
      oninput: (e) => { current.hex = e.target.value; text.value = e.target.value; update(); } });
    const clear = el("button", { type: "button", class: "button", text: "Clear",
      onclick: () => { current.hex = ""; text.value = ""; update(); } });
    return el("div", { class: "re-row" }, picker, text,
      labelled("Alpha (0-255)", input("number", current.alpha, (v) => { current.alpha = v; update(); },
        { min: 0, max: 255, class: "re-short" })), clear);
  };
  W.lat_lon = (field, value, set) =>
    subForm([["latitude", "Latitude"], ["longitude", "Longitude"]], value, set,
      { latitude: "number", longitude: "number" });
  W.video = (field, value, set) =>
    subForm([["url", "URL"], ["provider", "Provider (youtube, vimeo, facebook)"],
      ["provider_uid", "Provider's id"], ["title", "Title"], ["thumbnail_url", "Thumbnail URL"],
      ["width", "Width"], ["height", "Height"]], value, set, { width: "number", height: "number" });

  W.seo = (field, value, set, ctx) => {
    const current = { title: "", description: "", image: "", twitter_card: "", no_index: false, ...(value || {}) };
    const update = () => set({ ...current });
    const image = RE.uploadPicker(ctx, current.image ? [{ upload_id: current.image }] : [], false,
      (files) => { current.image = files.length ? files[0].upload_id : ""; update(); }, true);
    return el("div", { class: "re-subform" },
      labelled("Title", input("text", current.title, (v) => { current.title = v; update(); })),
      labelled("Description", el("textarea", { rows: 2, class: "vLargeTextField",
        oninput: (e) => { current.description = e.target.value; update(); } }, current.description)),
      labelled("Image", image),
      labelled("Twitter card", el("select", { onchange: (e) => { current.twitter_card = e.target.value; update(); } },
        ["", "summary", "summary_large_image"].map((c) =>
          el("option", { value: c, text: c || "—", selected: c === current.twitter_card })))),
      labelled("No index", el("input", { type: "checkbox", checked: current.no_index,
        onchange: (e) => { current.no_index = e.target.checked; update(); } })));
  };

  function slugify(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }
  W.slug = (field, value, set, ctx, path) => {
    const box = input("text", value, (v) => { touched = v !== ""; set(v); }, { class: "vTextField re-slug" });
    let touched = !!value;
    const titleKey = field.options.title_field;
    if (titleKey) {
      /* Prefilled from the title field (same record, same locale) until edited by hand. */
      queueMicrotask(() => {
        const record = box.closest(".re-record");
        /* The slug's locale, else (a slug not localized) the title's first locale's. */
        const locale = field.localized ? path[path.length - 1] : "";
        const title = record && (record.querySelector(
          `input[data-api-key="${titleKey}"][data-locale="${locale}"]`) ||
          record.querySelector(`input[data-api-key="${titleKey}"]`));
        if (!title) return;
        title.addEventListener("input", () => {
          if (touched) return;
          box.value = slugify(title.value);
          set(box.value);
        });
      });
    }
    return box;
  };

  W.link = (field, value, set, ctx) =>
    RE.recordPicker(ctx, field.options.link_models, value ? [value] : [], false,
      (ids) => set(ids[0] || ""));
  W.links = (field, value, set, ctx) =>
    RE.recordPicker(ctx, field.options.link_models, value || [], true, (ids) => set(ids));
  W.file = (field, value, set, ctx) =>
    RE.uploadPicker(ctx, value ? [value] : [], false, (files) => set(files[0] || null));
  W.gallery = (field, value, set, ctx) =>
    RE.uploadPicker(ctx, value || [], true, (files) => set(files));
  W.blocks = (field, value, set, ctx, path) =>
    RE.blockList(ctx, field.options.block_models, value || [], set, path, true);
  W.single_block = (field, value, set, ctx, path) =>
    RE.blockList(ctx, field.options.block_models, value ? [value] : [], (blocks) => set(blocks[0] || null),
      path, false);
})();
