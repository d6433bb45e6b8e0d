// Render report pages in headless Chromium through its DevTools protocol (over
// --remote-debugging-pipe: no port, no npm package) and check what a reader
// would see:
//   - no console errors or uncaught exceptions;
//   - the tick labels of every chart axis are distinct (no "54%, 54%, 54%");
//   - no text overflows its headline card (bounding boxes in the laid-out page);
//   - no chart text runs outside its chart;
//   - a PNG screenshot of the first 1280x2000 pixels for the blank-page check.
// Usage: node scripts/report_check.js CHROMIUM OUT_DIR page.html...
// Prints one line per page and exits 1 if any check fails.
"use strict";
const fs = require("fs");
const path = require("path");
const { launch, PAGE_CHECKS } = require("./cdp.js");

const [browser, outDir, ...pages] = process.argv.slice(2);
const chrome = launch(browser);

async function checkPage(file) {
  const { targetId, sessionId, errors } = await chrome.openPage();
  await chrome.navigate(sessionId, "file://" + path.resolve(file));
  const { problems, charts, cards } = await chrome.evaluate(sessionId, PAGE_CHECKS);
  const name = path.basename(path.dirname(file));
  await chrome.screenshot(sessionId, path.join(outDir, name + ".png"));
  await chrome.send("Target.closeTarget", { targetId });
  return { name, problems: errors.concat(problems), charts, cards };
}

(async () => {
  let failed = false;
  try {
    await chrome.send("Target.setDiscoverTargets", { discover: false });
    for (const file of pages) {
      const r = await checkPage(file);
      if (r.charts === 0) r.problems.push("no charts on the page");
      if (r.problems.length) {
        failed = true;
        console.log(`FAIL ${file}: ${r.problems.length} problem(s)`);
        for (const p of r.problems) console.log("  - " + p);
      } else {
        console.log(`ok ${file}: ${r.charts} charts, ${r.cards} cards; tick labels distinct, no text overflows`);
      }
    }
  } catch (e) {
    failed = true;
    console.log("FAIL: " + e.message);
    console.log(chrome.log().slice(-2000));
  }
  await chrome.close();
  process.exit(failed ? 1 : 0);
})();
