// Drive the live classroom page (`pathsim classroom`) in headless Chromium as a
// teacher would: open it, wait for today's numbers, move the dropout slider to
// its lowest (half as much dropping out and less: the keyboard's Home key on
// the focused slider, as a real key press), check the page shows its "running"
// state, wait for the redraw, and check that the headline number moved the
// right way (fewer people reconvicted) and that more people are in treatment.
// Then the checks every report page passes (distinct tick labels, no text
// outside its card or chart, no console errors) and a screenshot for the
// blank-page check.
// Usage: node scripts/classroom_check.js CHROMIUM URL OUT_DIR
"use strict";
const path = require("path");
const { launch, PAGE_CHECKS } = require("./cdp.js");

const [browser, url, outDir] = process.argv.slice(2);
const chrome = launch(browser);

// Poll an expression in the page until it is truthy (or fail after `ms`).
async function until(sessionId, expression, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await chrome.evaluate(sessionId, expression);
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const READ = `(() => {
  const h = document.getElementById("headline-text");
  const card = (id) => document.querySelector("#card-" + id + " .change");
  return {
    state: document.body.dataset.state,
    status: document.getElementById("status-text").textContent,
    headline: h.textContent,
    change: h.dataset.value === "" ? null : Number(h.dataset.value),
    reconvicted: Number(card("reconvicted").dataset.value),
    inTreatment: Number(card("in_treatment").dataset.value),
    dropout: document.getElementById("dropout").value,
    dropoutShown: document.getElementById("dropout-value").textContent,
  };
})()`;

(async () => {
  const problems = [];
  const check = (ok, message) => { if (!ok) problems.push(message); };
  try {
    const { sessionId, errors } = await chrome.openPage(1366, 1400);
    await chrome.navigate(sessionId, url);
    await until(sessionId, `document.body.dataset.state === "done"`, 60000, "today's numbers");
    const before = await chrome.evaluate(sessionId, READ);
    console.log(`today: "${before.headline}" (${before.status})`);
    check(before.change === 0, "today's settings should show no change, got " + before.change);
    check(document_has_sliders(await chrome.evaluate(sessionId,
      `[...document.querySelectorAll("input[type=range]")].map((i) => i.id)`)), "the five sliders");

    // Move the slider: focus it and press Home, as a keyboard user would.
    await chrome.evaluate(sessionId, `document.getElementById("dropout").focus()`);
    const key = { key: "Home", code: "Home", windowsVirtualKeyCode: 36, nativeVirtualKeyCode: 36 };
    await chrome.send("Input.dispatchKeyEvent", { type: "keyDown", ...key }, sessionId);
    await chrome.send("Input.dispatchKeyEvent", { type: "keyUp", ...key }, sessionId);
    const running = await until(sessionId,
      `document.body.dataset.state === "running" && getComputedStyle(document.querySelector("#status .spinner")).visibility === "visible" && document.getElementById("status-text").textContent`,
      10000, "the running state");
    console.log(`while it runs: "${running}"`);
    await until(sessionId, `document.body.dataset.state === "done"`, 60000, "the redraw");
    const after = await chrome.evaluate(sessionId, READ);
    console.log(`dropout ${after.dropout} (${after.dropoutShown}): "${after.headline}" (${after.status})`);
    check(after.dropout === "25", "the slider should be at its lowest, 25, got " + after.dropout);
    check(after.dropoutShown.startsWith("25%"), "the slider's label should say 25%, got " + after.dropoutShown);
    check(after.change < 0, "less dropping out should mean fewer people reconvicted: headline change " + after.change);
    check(after.reconvicted === after.change, "the headline and its card should carry the same change");
    check(/fewer people are reconvicted/.test(after.headline), "the headline should say fewer: " + after.headline);
    check(after.inTreatment > 0, "less dropping out should keep more people in treatment: " + after.inTreatment);

    const layout = await chrome.evaluate(sessionId, PAGE_CHECKS);
    check(layout.charts > 0, "no chart on the page");
    for (const p of layout.problems) problems.push(p);
    for (const e of errors) problems.push(e);
    await chrome.screenshot(sessionId, path.join(outDir, "classroom.png"));
  } catch (e) {
    problems.push(e.message);
    console.log(chrome.log().slice(-2000));
  }
  await chrome.close();
  if (problems.length) {
    console.log(`FAIL ${url}: ${problems.length} problem(s)`);
    for (const p of problems) console.log("  - " + p);
    process.exit(1);
  }
  console.log(`ok ${url}: the slider moved, the page ran and redrew, the headline fell`);
  process.exit(0);
})();

function document_has_sliders(ids) {
  return ["dropout", "continuity", "prison_ost", "testing", "community"].every((id) => ids.includes(id));
}
