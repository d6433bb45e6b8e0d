// A Chromium driver over the DevTools protocol (--remote-debugging-pipe: no
// port, no npm package), shared by the browser checks (report_check.js,
// classroom_check.js), and the checks every page must pass (PAGE_CHECKS):
// distinct axis tick labels, no text overflowing a card, no chart text outside
// its chart.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

function launch(browser) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "pathsim-chromium-"));
  const chrome = spawn(
    browser,
    [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--hide-scrollbars", `--user-data-dir=${profile}`, "--remote-debugging-pipe",
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
  );
  let chromeLog = "";
  chrome.stderr.on("data", (d) => { chromeLog += d; });
  const toChrome = chrome.stdio[3];
  const fromChrome = chrome.stdio[4];

  let nextId = 1;
  const waiting = new Map();
  const listeners = [];
  let buffer = Buffer.alloc(0);
  fromChrome.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    let end;
    while ((end = buffer.indexOf(0)) >= 0) {
      const msg = JSON.parse(buffer.subarray(0, end).toString("utf8"));
      buffer = buffer.subarray(end + 1);
      if (msg.id && waiting.has(msg.id)) {
        const { resolve, reject } = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (msg.error) reject(new Error(JSON.stringify(msg.error)));
        else resolve(msg.result);
      } else if (msg.method) {
        for (const l of listeners) l(msg);
      }
    }
  });
  function send(method, params = {}, sessionId) {
    const id = nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    toChrome.write(JSON.stringify(msg) + "\0");
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      setTimeout(() => {
        if (waiting.has(id)) {
          waiting.delete(id);
          reject(new Error(`timeout: ${method}`));
        }
      }, 30000);
    });
  }
  // Listen for one event of a session; resolves with its params.
  function once(sessionId, method, timeoutMs = 30000) {
    return new Promise((resolve, reject) => {
      const l = (msg) => {
        if (msg.sessionId === sessionId && msg.method === method) {
          listeners.splice(listeners.indexOf(l), 1);
          resolve(msg.params);
        }
      };
      listeners.push(l);
      setTimeout(() => reject(new Error(`timeout waiting for ${method}`)), timeoutMs);
    });
  }
  // A new page with console errors collected; returns { targetId, sessionId, errors }.
  async function openPage(width = 1280, height = 2000) {
    const { targetId } = await send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
    const errors = [];
    listeners.push((msg) => {
      if (msg.sessionId !== sessionId) return;
      if (msg.method === "Runtime.exceptionThrown") {
        errors.push("uncaught: " + msg.params.exceptionDetails.text +
          (msg.params.exceptionDetails.exception ? " " + msg.params.exceptionDetails.exception.description : ""));
      } else if (msg.method === "Runtime.consoleAPICalled" && msg.params.type === "error") {
        errors.push("console.error: " + msg.params.args.map((a) => a.value).join(" "));
      } else if (msg.method === "Log.entryAdded" && msg.params.entry.level === "error") {
        errors.push("log: " + msg.params.entry.text);
      }
    });
    await send("Runtime.enable", {}, sessionId);
    await send("Log.enable", {}, sessionId);
    await send("Page.enable", {}, sessionId);
    await send("Emulation.setDeviceMetricsOverride",
      { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    return { targetId, sessionId, errors };
  }
  async function navigate(sessionId, url) {
    const loaded = once(sessionId, "Page.loadEventFired");
    await send("Page.navigate", { url }, sessionId);
    await loaded;
  }
  async function evaluate(sessionId, expression) {
    const r = await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, sessionId);
    if (r.exceptionDetails) throw new Error("in the page: " + r.exceptionDetails.text);
    return r.result.value;
  }
  async function screenshot(sessionId, file) {
    const shot = await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: false }, sessionId);
    fs.writeFileSync(file, Buffer.from(shot.data, "base64"));
  }
  async function close() {
    const exited = new Promise((resolve) => chrome.once("exit", resolve));
    chrome.kill();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
    } catch (e) {
      console.log(`note: could not remove ${profile}: ${e.message}`);
    }
  }
  return { send, once, openPage, navigate, evaluate, screenshot, close, log: () => chromeLog };
}

// Runs in the page: returns a list of problems (strings).
const PAGE_CHECKS = `(() => {
  const problems = [];
  const num = /^[+\\-\\u2212]?[0-9][0-9,]*(\\.[0-9]+)?%?$|^[+\\-\\u2212]?\\.[0-9]+%?$/;
  document.querySelectorAll("svg").forEach((svg, k) => {
    const name = svg.getAttribute("aria-label") || ("chart " + (k + 1));
    const texts = [...svg.querySelectorAll("text")];
    // Axis tick labels: numbers sharing a column (y axis: same x, right-aligned)
    // or a row (x axis: same y, centred).
    const groups = new Map();
    for (const t of texts) {
      const s = t.textContent.trim();
      if (!num.test(s)) continue;
      const anchor = t.getAttribute("text-anchor") || "start";
      const key = anchor === "end" ? "y@" + t.getAttribute("x") : anchor === "middle" ? "x@" + t.getAttribute("y") : null;
      if (!key) continue;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(s);
    }
    for (const [key, labels] of groups) {
      if (labels.length < 3) continue;
      const dup = labels.filter((l, i) => labels.indexOf(l) !== i);
      if (dup.length) problems.push(name + ": axis " + key + " repeats tick labels: " + labels.join(", "));
    }
    // Chart text stays inside the chart.
    const vb = svg.viewBox && svg.viewBox.baseVal;
    const w = vb && vb.width ? vb.width : Number(svg.getAttribute("width"));
    const h = vb && vb.height ? vb.height : Number(svg.getAttribute("height"));
    for (const t of texts) {
      let b;
      try { b = t.getBBox(); } catch (e) { continue; }
      if (!t.textContent.trim() || b.width === 0) continue;
      if (t.getAttribute("transform")) continue; // rotated axis titles: checked by eye
      if (b.x < -1 || b.y < -1 || b.x + b.width > w + 1 || b.y + b.height > h + 1) {
        problems.push(name + ": text outside the chart: \\"" + t.textContent.trim() + "\\" at x " +
          b.x.toFixed(0) + " to " + (b.x + b.width).toFixed(0) + " of " + w);
      }
    }
  });
  // Headline cards: every piece of text stays inside its card.
  document.querySelectorAll(".card").forEach((card, k) => {
    const c = card.getBoundingClientRect();
    const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (!node.textContent.trim()) continue;
      const r = document.createRange();
      r.selectNodeContents(node);
      for (const b of r.getClientRects()) {
        if (b.right > c.right + 0.5 || b.left < c.left - 0.5) {
          problems.push("card " + (k + 1) + ": \\"" + node.textContent.trim().slice(0, 60) +
            "\\" overflows it (" + b.left.toFixed(0) + " to " + b.right.toFixed(0) +
            ", card " + c.left.toFixed(0) + " to " + c.right.toFixed(0) + ")");
          break;
        }
      }
    }
    if (card.scrollWidth > card.clientWidth + 1) {
      problems.push("card " + (k + 1) + ": content wider than the card");
    }
  });
  return { problems, charts: document.querySelectorAll("svg").length,
           cards: document.querySelectorAll(".card").length };
})()`;

module.exports = { launch, PAGE_CHECKS };
