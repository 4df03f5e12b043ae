/* Structured text: the document as a list of nodes (paragraph, heading, list, quote, code,
   separator, block), each edited as text with the inline markup items/admin_editor/
   dast_form.py reads (**strong**, *emphasis*, `code`, [text](url), [text](record:ID)...).
   Nodes the markup can't say are kept as JSON ("raw"). */
(function () {
  "use strict";
  const RE = (window.RecordEditor = window.RecordEditor || {});
  const el = (...args) => RE.el(...args);

  const KINDS = [
    ["paragraph", "Paragraph"], ["heading", "Heading"], ["list", "List"],
    ["blockquote", "Quote"], ["code", "Code"], ["thematicBreak", "Separator"],
  ];

  /* Wraps the textarea's selection in `before` and `after`. */
  function wrap(area, before, after, set) {
    const { selectionStart: start, selectionEnd: end, value } = area;
    area.value = value.slice(0, start) + before + value.slice(start, end) + after + value.slice(end);
    area.setSelectionRange(start + before.length, end + before.length);
    area.focus();
    set(area.value);
  }

  function textNode(ctx, field, node, changed) {
    const area = el("textarea", { class: "vLargeTextField re-node-text", rows: node.kind === "paragraph" ? 3 : 2,
      oninput: (e) => { node.text = e.target.value; } }, node.text || "");
    const setText = (v) => { node.text = v; };
    const button = (text, title, onclick) => el("button", { type: "button", class: "re-icon", title, text, onclick });
    const tools = el("span", { class: "re-tools" },
      button("B", "Strong", () => wrap(area, "**", "**", setText)),
      button("I", "Emphasis", () => wrap(area, "*", "*", setText)),
      button("<>", "Code", () => wrap(area, "`", "`", setText)),
      button("Link", "Link to a URL", () => {
        const url = prompt("Link to (URL):", "https://");
        if (url) wrap(area, "[", `](${url})`, setText);
      }),
      button("Record link", "Link to a record", () => RE.chooseRecord(ctx, field.options.link_models, (r) => {
        if (area.selectionStart === area.selectionEnd) wrap(area, `[${r.title}`, `](record:${r.id})`, setText);
        else wrap(area, "[", `](record:${r.id})`, setText);
      })));
    const extra = [];
    if (node.kind === "heading") {
      extra.push(el("select", { class: "re-level", onchange: (e) => { node.level = Number(e.target.value); } },
        [1, 2, 3, 4, 5, 6].map((n) => el("option", { value: n, text: `H${n}`, selected: n === Number(node.level || 1) }))));
    } else if (node.kind === "list") {
      extra.push(el("select", { class: "re-style", onchange: (e) => { node.style = e.target.value; } },
        [["bulleted", "• bulleted"], ["numbered", "1. numbered"]].map(([v, t]) =>
          el("option", { value: v, text: t, selected: v === (node.style || "bulleted") }))),
        el("span", { class: "re-hint", text: " one item per line" }));
    } else if (node.kind === "blockquote") {
      extra.push(el("input", { type: "text", class: "vTextField re-short", placeholder: "attribution",
        value: node.attribution || "", oninput: (e) => { node.attribution = e.target.value; } }));
    } else if (node.kind === "code") {
      extra.push(el("input", { type: "text", class: "vTextField re-short", placeholder: "language",
        value: node.language || "", oninput: (e) => { node.language = e.target.value; } }));
      return el("div", {}, el("div", { class: "re-row" }, ...extra),
        el("textarea", { class: "vLargeTextField re-mono", rows: 4, oninput: (e) => { node.text = e.target.value; } },
          node.text || ""));
    } else if (node.kind === "raw") {
      area.classList.add("re-mono");
      return el("div", {}, el("div", { class: "re-hint", text: "Kept as JSON (the editor can't show it otherwise)" }), area);
    }
    return el("div", {}, el("div", { class: "re-row" }, ...extra, node.kind === "code" ? null : tools), area);
  }

  RE.widgets.structured_text = function (field, value, set, ctx, path) {
    const nodes = value || [];
    set(nodes);
    const box = el("div", { class: "re-dast" });
    function draw() {
      const rows = nodes.map((node, i) => {
        const body = node.kind === "block"
          ? RE.blockList(ctx, field.options.block_models, node.block ? [node.block] : [],
            (blocks) => { node.block = blocks[0] || null; }, path, false)
          : node.kind === "thematicBreak" ? el("hr") : textNode(ctx, field, node, draw);
        return el("div", { class: "re-node", "data-kind": node.kind },
          el("div", { class: "re-node-head" }, el("span", { class: "re-kind", text: node.kind === "raw" ? "JSON" :
            (KINDS.find(([k]) => k === node.kind) || [null, "Block"])[1] }),
          el("span", { class: "re-actions" },
            el("button", { type: "button", class: "re-icon", title: "Move up", text: "↑", disabled: i === 0,
              onclick: () => { [nodes[i - 1], nodes[i]] = [nodes[i], nodes[i - 1]]; draw(); } }),
            el("button", { type: "button", class: "re-icon", title: "Move down", text: "↓",
              disabled: i === nodes.length - 1,
              onclick: () => { [nodes[i + 1], nodes[i]] = [nodes[i], nodes[i + 1]]; draw(); } }),
            el("button", { type: "button", class: "re-icon", title: "Remove", text: "✕",
              onclick: () => { nodes.splice(i, 1); draw(); } }))),
          body);
      });
      const adders = el("div", { class: "re-add" }, el("span", { class: "re-hint", text: "Add: " }),
        KINDS.map(([kind, label]) => el("button", { type: "button", class: "button re-add-node",
          "data-kind": kind, text: label,
          onclick: () => { nodes.push({ kind, text: "", level: 2, style: "bulleted" }); draw(); } })),
        (field.options.block_models || []).length ? el("button", { type: "button", class: "button re-add-node",
          "data-kind": "block", text: "Block",
          onclick: () => { nodes.push({ kind: "block", block: null }); draw(); } }) : null);
      box.replaceChildren(...rows, adders);
    }
    draw();
    return box;
  };
})();
