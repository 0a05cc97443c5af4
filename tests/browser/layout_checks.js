// Layout faults measured from element boxes: text squeezed to one character per line,
// sibling boxes that overlap, values that spill out of their box, and links or buttons
// whose words do not fit in them (cut off, or running into the next one).
(textSelector) => {
  const faults = [];
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 2 && r.height > 2 && getComputedStyle(el).visibility !== "hidden";
  };
  // Screen-reader-only content sits in a 1px clipped box: not a layout fault.
  const visible = (el) => {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      if (!shown(node)) return false;
    }
    return true;
  };
  const label = (el) => `${el.tagName.toLowerCase()}.${el.className} "${(el.innerText || "").trim().slice(0, 30)}"`;
  for (const el of document.querySelectorAll(textSelector)) {
    if (!visible(el)) continue;
    const chars = (el.innerText || "").replace(/\s/g, "").length;
    if (chars < 3) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    // Lines are runs of boxes that share vertical space (a badge sits higher than its text).
    const rects = [...range.getClientRects()].filter((r) => r.width > 0).sort((a, b) => a.top - b.top);
    let lines = 0;
    let bottom = -Infinity;
    for (const r of rects) {
      if (r.top >= bottom - 1) lines += 1;
      bottom = Math.max(r.top >= bottom - 1 ? r.bottom : bottom, r.bottom);
    }
    if (lines >= 3 && lines >= chars * 0.6) faults.push(`one character per line: ${label(el)}`);
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible") {
      faults.push(`spills out of its box: ${label(el)}`);
    }
  }
  for (const el of document.querySelectorAll("nav a, a.btn, button, .btn")) {
    if (!visible(el) || (el.innerText || "").trim().length < 2) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      faults.push(`words do not fit: ${label(el)}`);
    }
  }
  const parents = document.querySelectorAll(".facts, .stack, .layout-split, .page-subtitle, tr");
  for (const parent of parents) {
    const kids = [...parent.children].filter(visible).map((el) => [el, el.getBoundingClientRect()]);
    for (let i = 0; i < kids.length; i++) {
      for (let j = i + 1; j < kids.length; j++) {
        const [a, ra] = kids[i];
        const [b, rb] = kids[j];
        const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (w > 1 && h > 1) faults.push(`overlap: ${label(a)} / ${label(b)}`);
      }
    }
  }
  return faults;
}
