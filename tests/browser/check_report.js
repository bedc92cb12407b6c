#!/usr/bin/env node
// Renders an HTML report in headless Chromium (offline, a fresh profile) and
// checks it: no console errors or exceptions, the SVG charts it holds (count
// per kind), every chart with both axis labels, no two text elements of a
// chart overlapping (their bounding boxes), no text outside its chart.
// Writes screenshots: the top of the page at 1280 px, the first chart of
// each kind and the first case's block of charts, and a PDF print.  Speaks the DevTools protocol over --remote-debugging-pipe
// (file descriptors 3 and 4), so it needs nothing but node and chromium.
//
//   node check_report.js REPORT.html OUTDIR [CHROMIUM]
// Prints one JSON object: {charts, kinds, problems, console, screenshots}.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [html, outDir, chromium = '/usr/bin/chromium'] = process.argv.slice(2);
if (!html || !outDir) {
	console.error('usage: check_report.js REPORT.html OUTDIR [CHROMIUM]');
	process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-chromium-'));
const browser = spawn(chromium, [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--no-first-run', '--disable-extensions',
	'--disable-default-apps', '--mute-audio', '--hide-scrollbars', '--force-device-scale-factor=1',
	'--user-data-dir=' + profile, '--remote-debugging-pipe', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let stderr = '';
browser.stderr.on('data', (d) => { stderr += d; });

function cleanup() {
	try { browser.kill('SIGKILL'); } catch (e) { /* gone */ }
	try { fs.rmSync(profile, { recursive: true, force: true }); } catch (e) { /* best effort */ }
}
const deadline = setTimeout(() => {
	console.error('timed out; chromium said: ' + stderr.slice(-2000));
	cleanup();
	process.exit(3);
}, Number(process.env.TB_BROWSER_TIMEOUT_MS || 120000));

const toBrowser = browser.stdio[3];
const fromBrowser = browser.stdio[4];
let nextId = 1;
const pending = new Map();
const listeners = [];
let buf = Buffer.alloc(0);
fromBrowser.on('data', (chunk) => {
	buf = Buffer.concat([buf, chunk]);
	let i;
	while ((i = buf.indexOf(0)) >= 0) {
		const msg = JSON.parse(buf.slice(0, i).toString('utf8'));
		buf = buf.slice(i + 1);
		if (msg.id && pending.has(msg.id)) {
			const { resolve, reject } = pending.get(msg.id);
			pending.delete(msg.id);
			if (msg.error) reject(new Error(JSON.stringify(msg.error))); else resolve(msg.result);
		} else {
			for (const l of listeners) l(msg);
		}
	}
});
browser.on('exit', (code) => {
	for (const { reject } of pending.values()) reject(new Error('chromium exited ' + code + ': ' + stderr.slice(-2000)));
	pending.clear();
});
function send(method, params = {}, sessionId) {
	const id = nextId++;
	const msg = { id, method, params };
	if (sessionId) msg.sessionId = sessionId;
	toBrowser.write(JSON.stringify(msg) + '\0');
	return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
function waitFor(pred) {
	return new Promise((resolve) => {
		const l = (m) => { if (pred(m)) { listeners.splice(listeners.indexOf(l), 1); resolve(m); } };
		listeners.push(l);
	});
}

// In the page: the charts and what is wrong with them.
const inspect = `(() => {
  const out = { charts: 0, kinds: {}, problems: [], texts: 0 };
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
                            Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  for (const svg of document.querySelectorAll('svg.chart')) {
    out.charts++;
    const kind = svg.getAttribute('data-chart') || '?';
    out.kinds[kind] = (out.kinds[kind] || 0) + 1;
    const name = svg.id || kind;
    for (const axis of ['x', 'y']) {
      const l = svg.querySelector('text.axis-label.' + axis);
      if (!l || !l.textContent.trim()) out.problems.push(name + ': no ' + axis + ' axis label');
    }
    const sb = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '');
    out.texts += texts.length;
    const boxes = texts.map((t) => t.getBoundingClientRect());
    boxes.forEach((b, i) => {
      if (b.left < sb.left - 1 || b.right > sb.right + 1 || b.top < sb.top - 1 || b.bottom > sb.bottom + 1)
        out.problems.push(name + ': text "' + texts[i].textContent + '" outside the chart');
    });
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++)
        if (overlap(boxes[i], boxes[j]))
          out.problems.push(name + ': "' + texts[i].textContent + '" overlaps "' + texts[j].textContent + '"');
  }
  const first = {};
  for (const svg of document.querySelectorAll('svg.chart')) {
    const k = svg.getAttribute('data-chart');
    if (!first[k]) { const r = svg.getBoundingClientRect(); first[k] = { x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height }; }
  }
  const block = document.querySelector('.case');
  if (block) { const r = block.getBoundingClientRect(); first['case-block'] = { x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height }; }
  out.first = first;
  out.height = document.documentElement.scrollHeight;
  out.scripts = document.querySelectorAll('script').length;
  out.external = [...document.querySelectorAll('[src],link[href]')].map((e) => e.getAttribute('src') || e.getAttribute('href'));
  return JSON.stringify(out);
})()`;

(async () => {
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
	const consoleErrors = [];
	listeners.push((m) => {
		if (m.sessionId !== sessionId) return;
		if (m.method === 'Runtime.exceptionThrown') consoleErrors.push('exception: ' + JSON.stringify(m.params.exceptionDetails.text));
		if (m.method === 'Runtime.consoleAPICalled' && (m.params.type === 'error' || m.params.type === 'assert'))
			consoleErrors.push('console.' + m.params.type + ': ' + JSON.stringify(m.params.args.map((a) => a.value)));
		if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error')
			consoleErrors.push('log: ' + m.params.entry.text + ' ' + (m.params.entry.url || ''));
	});
	await send('Runtime.enable', {}, sessionId);
	await send('Log.enable', {}, sessionId);
	await send('Page.enable', {}, sessionId);
	await send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 1000, deviceScaleFactor: 1, mobile: false }, sessionId);
	const loaded = waitFor((m) => m.sessionId === sessionId && m.method === 'Page.loadEventFired');
	await send('Page.navigate', { url: 'file://' + path.resolve(html) }, sessionId);
	await loaded;
	const res = await send('Runtime.evaluate', { expression: inspect, returnByValue: true }, sessionId);
	const out = JSON.parse(res.result.value);
	out.console = consoleErrors;
	out.screenshots = [];
	const shot = async (file, clip) => {
		const { data } = await send('Page.captureScreenshot', { format: 'png', clip: { ...clip, scale: 1 }, captureBeyondViewport: true }, sessionId);
		fs.writeFileSync(path.join(outDir, file), Buffer.from(data, 'base64'));
		out.screenshots.push(path.join(outDir, file));
	};
	await shot('report-top.png', { x: 0, y: 0, width: 1280, height: Math.min(out.height, 1600) });
	for (const [kind, r] of Object.entries(out.first)) {
		await shot((kind === 'case-block' ? '' : 'chart-') + kind + '.png', { x: Math.max(r.x - 4, 0), y: Math.max(r.y - 4, 0), width: r.w + 8, height: r.h + 8 });
	}
	const pdf = await send('Page.printToPDF', { printBackground: true }, sessionId);
	fs.writeFileSync(path.join(outDir, 'report.pdf'), Buffer.from(pdf.data, 'base64'));
	delete out.first;
	console.log(JSON.stringify(out));
	clearTimeout(deadline);
	await send('Browser.close').catch(() => {});
	cleanup();
	process.exit(0);
})().catch((e) => {
	console.error(String(e && e.stack || e));
	clearTimeout(deadline);
	cleanup();
	process.exit(1);
});
