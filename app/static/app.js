// The sample app's browser script: served by nginx from /static/ under a fingerprinted name.
// It calls the JSON API through the same origin, so every click goes nginx → gateway → app.

const $ = (selector) => document.querySelector(selector);

async function show(target, response) {
  const body = await response.json().catch(() => ({}));
  $(target).textContent = `${response.status} ${JSON.stringify(body, null, 2)}`;
}

$('#whoami').addEventListener('click', async () => show('#whoami-out', await fetch('/api/whoami')));

$('#work').addEventListener('click', async () => show('#work-out', await fetch('/api/work?ms=200')));

$('#note-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('#note-text').value;
  const response = await fetch('/api/notes', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  await show('#note-out', response);
});

// A WebSocket that reconnects when the server closes it (1012 when a worker drains for a reload).
function connectEcho() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live/ws`);
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'hello') $('#echo-status').textContent = `connected to worker ${message.workerId}`;
    else $('#echo-out').textContent = `worker ${message.workerId}: ${message.text}`;
  });
  ws.addEventListener('close', (event) => {
    $('#echo-status').textContent = `closed (${event.code}), reconnecting…`;
    setTimeout(connectEcho, 1000 + Math.random() * 1000);
  });
  $('#echo-form').onsubmit = (event) => {
    event.preventDefault();
    if (ws.readyState === WebSocket.OPEN) ws.send($('#echo-text').value);
  };
}
connectEcho();

// EventSource reconnects by itself when a stream ends (after the server's retry: delay).
new EventSource('/live/clock').addEventListener('message', (event) => {
  const tick = JSON.parse(event.data);
  $('#clock').textContent = new Date(tick.time).toLocaleTimeString();
  $('#clock-worker').textContent = `from worker ${tick.workerId}`;
});

document.body.dataset.scriptLoaded = 'yes';
$('#script-status').textContent = 'JavaScript loaded';
