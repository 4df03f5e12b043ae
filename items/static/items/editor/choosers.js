/* Choosers: a searchable dialog of records (only of the models a link may point at) and
   one of uploads with thumbnails (and a new file uploaded from it). Their pickers show what
   is chosen, in order, with buttons to reorder and remove. */
(function () {
  "use strict";
  const RE = (window.RecordEditor = window.RecordEditor || {});
  const el = (...args) => RE.el(...args);

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  /* A modal dialog listing results of `search(query)`; `choose(result)` closes it. */
  function openDialog(title, search, render, choose, extra) {
    const results = el("div", { class: "re-results" });
    const query = el("input", { type: "search", class: "vTextField re-search", placeholder: "Search…" });
    const dialog = el("dialog", { class: "re-dialog" },
      el("div", { class: "re-dialog-head" }, el("h3", { text: title }),
        el("button", { type: "button", class: "button", text: "Close", onclick: () => dialog.close() })),
      query, extra ? extra(pick) : null, results);
    function pick(result) { choose(result); dialog.close(); }
    async function refresh() {
      const asked = query.value;
      const found = await search(asked);
      if (asked !== query.value) return; /* a newer search is under way */
      results.dataset.query = asked;
      results.replaceChildren(...found.map((r) => {
        const item = render(r);
        item.classList.add("re-result");
        item.addEventListener("click", () => pick(r));
        return item;
      }));
      if (!found.length) results.append(el("p", { class: "re-hint", text: "Nothing found." }));
    }
    let timer = null;
    query.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 200); });
    dialog.addEventListener("close", () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    query.focus();
    refresh();
    return dialog;
  }

  async function getJson(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    return (await response.json()).results || [];
  }

  RE.chooseRecord = function (ctx, models, choose) {
    const names = (models || []).map((id) => (ctx.models[id] || {}).name).filter(Boolean).join(", ");
    openDialog(`Choose a record (${names || "no model allowed"})`,
      (q) => getJson(`${ctx.urls.records}?models=${encodeURIComponent((models || []).join(","))}&q=${encodeURIComponent(q)}`),
      (r) => el("div", { "data-id": r.id }, el("strong", { text: r.title }),
        el("span", { class: "re-hint", text: ` ${r.model} · ${r.status} · ${r.id}` })),
      (r) => { ctx.labels.records[r.id] = r; choose(r); });
  };

  RE.recordPicker = function (ctx, models, ids, multiple, set) {
    let chosen = [...ids];
    const box = el("div", { class: "re-picker" });
    function draw() {
      box.replaceChildren(
        el("ul", { class: "re-chosen" }, chosen.map((id, i) => {
          const label = ctx.labels.records[id];
          return el("li", { "data-id": id },
            el("span", { text: label ? label.title : id }),
            el("span", { class: "re-hint", text: label ? ` ${label.model}` : "" }),
            multiple && i > 0 ? el("button", { type: "button", class: "re-icon", title: "Up", text: "↑",
              onclick: () => { [chosen[i - 1], chosen[i]] = [chosen[i], chosen[i - 1]]; changed(); } }) : null,
            el("button", { type: "button", class: "re-icon", title: "Remove", text: "✕",
              onclick: () => { chosen.splice(i, 1); changed(); } }));
        })),
        (multiple || !chosen.length) ? el("button", { type: "button", class: "button re-choose-record",
          text: multiple ? "Add a record…" : "Choose a record…",
          onclick: () => RE.chooseRecord(ctx, models, (r) => {
            if (!chosen.includes(r.id)) chosen = multiple ? [...chosen, r.id] : [r.id];
            changed();
          }) }) : "");
    }
    function changed() { set([...chosen]); draw(); }
    draw();
    return box;
  };

  function uploadFile(ctx, file) {
    const body = new FormData();
    body.append("file", file);
    return fetch(ctx.urls.upload_file, { method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() } }).then((r) => r.json());
  }

  function thumbnail(upload) {
    if (upload && upload.is_image) return el("img", { src: upload.url, alt: upload.filename, class: "re-thumb" });
    return el("span", { class: "re-thumb re-file", text: upload ? (upload.filename.split(".").pop() || "file") : "?" });
  }

  RE.chooseUpload = function (ctx, choose) {
    openDialog("Choose an upload",
      (q) => getJson(`${ctx.urls.uploads}?q=${encodeURIComponent(q)}`),
      (u) => el("div", { class: "re-upload", "data-id": u.id }, thumbnail(u), el("span", { text: u.filename })),
      (u) => { ctx.labels.uploads[u.id] = u; choose(u); },
      (pick) => el("label", { class: "re-sub" }, el("span", { text: "Or upload a new file: " }),
        el("input", { type: "file", class: "re-upload-input", onchange: async (e) => {
          const made = await uploadFile(ctx, e.target.files[0]);
          if (made.id) pick(made);
          else alert((made.errors || ["The upload failed."]).join("\n"));
        } })));
  };

  /* Files: [{upload_id, alt, title, ...}] (file and gallery fields), or bare ids (SEO image). */
  RE.uploadPicker = function (ctx, files, multiple, set, idsOnly) {
    let chosen = files.map((f) => ({ ...f }));
    const box = el("div", { class: "re-picker re-uploads" });
    function draw() {
      box.replaceChildren(
        el("div", { class: "re-gallery" }, chosen.map((file, i) => {
          const upload = ctx.labels.uploads[file.upload_id];
          const meta = (key) => el("input", { type: "text", class: "vTextField re-short", placeholder: key,
            value: file[key] || "", oninput: (e) => { file[key] = e.target.value; set(chosen); } });
          return el("div", { class: "re-card", "data-id": file.upload_id }, thumbnail(upload),
            el("div", { class: "re-hint", text: upload ? upload.filename : file.upload_id }),
            idsOnly ? null : meta("alt"), idsOnly ? null : meta("title"),
            el("div", {},
              multiple && i > 0 ? el("button", { type: "button", class: "re-icon", title: "Move left", text: "←",
                onclick: () => { [chosen[i - 1], chosen[i]] = [chosen[i], chosen[i - 1]]; changed(); } }) : null,
              el("button", { type: "button", class: "re-icon", title: "Remove", text: "✕",
                onclick: () => { chosen.splice(i, 1); changed(); } })));
        })),
        (multiple || !chosen.length) ? el("button", { type: "button", class: "button re-choose-upload",
          text: multiple ? "Add an upload…" : "Choose an upload…",
          onclick: () => RE.chooseUpload(ctx, (u) => {
            const file = { upload_id: u.id, alt: "", title: "" };
            chosen = multiple ? [...chosen, file] : [file];
            changed();
          }) }) : "");
    }
    function changed() { set(chosen.map((f) => ({ ...f }))); draw(); }
    draw();
    return box;
  };
})();
