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

document.body.dataset.scriptLoaded = 'yes';
$('#script-status').textContent = 'JavaScript loaded';
